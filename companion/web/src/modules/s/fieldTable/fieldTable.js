import { LightningElement, api } from 'lwc';

/**
 * One table of an object's fields in the Object Manager (the Statisfy fields and the Salesforce fields share it):
 * display name, the Salesforce field, type, Editable, whether it writes back with every rule that keeps it back,
 * and an Edit button that fires `edit` with the field's key and the button (focus returns there).
 */
export default class FieldTable extends LightningElement {
    static renderMode = 'light';
    /** Rows as objectFields builds them. */
    @api rows = [];
    /** The table's caption (for assistive technology). */
    @api caption;
    /** Header of the Salesforce column ("Salesforce field API name" or "Field available in the CRM"). */
    @api salesforceColumn;
    /** Show each field's key under its display name (Statisfy fields). */
    @api showKey = false;

    handleEdit(event) {
        event.stopPropagation();
        this.dispatchEvent(
            new CustomEvent('edit', { detail: { key: event.currentTarget.dataset.key, target: event.currentTarget } })
        );
    }
}
