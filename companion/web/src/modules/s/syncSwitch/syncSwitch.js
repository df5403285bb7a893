import { LightningElement, api } from 'lwc';
import { writebackEnabledMessage } from 'contracts/sync-rules';
import { client } from 's/api';
import { objectLabel } from 's/format';

let seq = 0;

/**
 * An object's "Sync to Salesforce" switch (SLDS toggle, On/Off), the same on the Object Manager list and on the
 * object's page, for standard and custom objects alike (as the package's Object Manager allows). Switching it
 * sends PATCH /objects/:object; on success it fires `objectchanged` `{ object }` and a toast with the companion's
 * message ("Writeback to Salesforce is enabled for <object>"); on failure the switch goes back.
 */
export default class SyncSwitch extends LightningElement {
    static renderMode = 'light';
    /** The object (GET /objects item). */
    @api object;
    /** Show the words "Sync to Salesforce" beside the switch (else they are for screen readers only). */
    @api showLabel = false;
    busy = false;
    uid = `sync-switch-${++seq}`;

    get checked() {
        return !!(this.object && this.object.syncToSalesforce);
    }

    get label() {
        return `Sync to Salesforce for ${objectLabel(this.object)}`;
    }

    get labelClass() {
        return this.showLabel ? 'slds-form-element__label slds-m-bottom_none' : 'slds-assistive-text';
    }

    get stateId() {
        return `${this.uid}-state`;
    }

    get inputId() {
        return `sync-${this.object ? this.object.objectApiName : this.uid}`;
    }

    async handleChange(event) {
        const enabled = event.target.checked;
        const input = event.target;
        const label = objectLabel(this.object);
        this.busy = true;
        try {
            const answer = await client.updateObject(this.object.objectApiName, { syncToSalesforce: enabled });
            const updated = { ...this.object, ...((answer && answer.object) || {}) };
            this.toast(
                'success',
                enabled ? 'Writeback enabled' : 'Writeback disabled',
                (answer && answer.message) ||
                    (enabled
                        ? writebackEnabledMessage(label)
                        : `Writeback to Salesforce is disabled for ${label}: edits stay in Statisfy`)
            );
            this.dispatchEvent(new CustomEvent('objectchanged', { detail: { object: updated } }));
        } catch (e) {
            input.checked = !enabled;
            this.toast('error', 'Could not change Sync to Salesforce', e.message);
        } finally {
            this.busy = false;
        }
    }

    toast(variant, title, message) {
        this.dispatchEvent(new CustomEvent('toast', { detail: { variant, title, message } }));
    }
}
