import { LightningElement, api } from 'lwc';

/**
 * One sync time as the Sync status card shows it: the date and time, or "Never" when there is none. The card shows
 * several (last sync from and to Salesforce, last full sync, per object), so the format is written once here.
 * Light DOM: it renders into the card's own tree, so the card's styles and queries reach it.
 */
export default class SyncTime extends LightningElement {
    static renderMode = 'light';

    /** The time (ISO 8601 string or Date), or null. */
    @api value;

    /** What is shown without a time. */
    @api emptyText = 'Never';
}
