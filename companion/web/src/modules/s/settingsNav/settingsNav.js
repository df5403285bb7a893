import { LightningElement } from 'lwc';

/** The Settings menu (left column of the settings pages). */
export default class SettingsNav extends LightningElement {
    static renderMode = 'light';
}
