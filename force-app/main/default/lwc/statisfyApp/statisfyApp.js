import { LightningElement } from 'lwc';

/**
 * The Statisfy app page (tab `Statisfy_Home`, also the package's configuration page):
 * the Object Manager and the sync status with the list of sync errors.
 */
export default class StatisfyApp extends LightningElement {
    activeTab = 'objects';

    handleTabActive(event) {
        this.activeTab = event.target.value;
    }
}
