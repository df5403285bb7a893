import { LightningElement, api } from 'lwc';
import { client } from 's/api';
import { formatAgo, objectLabel } from 's/format';

/**
 * One object in Settings → Object Manager: its Statisfy fields and Salesforce fields, each with whether it pushes
 * to Salesforce and, if not, why (the companion's reason). "Edit" opens the field editor; "New field" creates a
 * Statisfy field. For a custom object the "Sync to Salesforce" switch sits in the header.
 */
export default class ObjectFields extends LightningElement {
    static renderMode = 'light';
    @api objectApiName;
    object = null;
    fields = [];
    loading = true;
    error = '';
    editing = null;
    creating = false;
    switching = false;

    connectedCallback() {
        this.load();
    }

    async load() {
        try {
            const [objects, fields] = await Promise.all([client.objects(), client.fields(this.objectApiName)]);
            this.object = objects.find((o) => o.objectApiName === this.objectApiName) || null;
            this.fields = fields;
            this.error = this.object ? '' : `Object ${this.objectApiName} is not synced in this org`;
        } catch (e) {
            this.error = e.message;
        } finally {
            this.loading = false;
        }
    }

    get label() {
        return this.object ? objectLabel(this.object) : this.objectApiName;
    }

    get isCustom() {
        return !!this.object && this.object.kind === 'custom';
    }

    get syncOn() {
        return !!this.object && this.object.syncToSalesforce;
    }

    get syncSummary() {
        if (!this.object) return '';
        return this.object.syncToSalesforce
            ? 'Edits of Editable fields with a Salesforce field flow back to Salesforce on the next sync.'
            : 'Sync to Salesforce is off: edits made in Statisfy stay in Statisfy.';
    }

    rows(origin) {
        return this.fields
            .filter((f) => f.origin === origin)
            .map((f) => ({
                ...f,
                name: f.key.split('.').slice(1).join('.') || f.key,
                sfLabel: f.salesforceField || '—',
                editableLabel: f.editable ? 'Yes' : 'No',
                pushLabel: f.pushesToSalesforce ? 'Pushes to Salesforce' : 'Stays in Statisfy',
                pushClass: f.pushesToSalesforce ? 'slds-badge slds-theme_success' : 'slds-badge slds-badge_lightest',
                reasonText: f.reason || '',
                editLabel: `Edit ${f.displayName}`,
                updated: formatAgo(f.updatedAt),
                rowClass: f.active === false ? 'slds-hint-parent statisfy-inactive' : 'slds-hint-parent'
            }));
    }

    get statisfyRows() {
        return this.rows('statisfy');
    }

    get salesforceRows() {
        return this.rows('salesforce');
    }

    get hasStatisfyRows() {
        return this.statisfyRows.length > 0;
    }

    get pushCount() {
        return this.fields.filter((f) => f.pushesToSalesforce).length;
    }

    get fieldCount() {
        return this.fields.length;
    }

    get showEditor() {
        return !!this.editing || this.creating;
    }

    handleEdit(event) {
        const key = event.currentTarget.dataset.key;
        this.returnFocusTo = event.currentTarget;
        this.editing = this.fields.find((f) => f.key === key);
        this.creating = false;
    }

    handleNew(event) {
        this.returnFocusTo = event.currentTarget;
        this.editing = null;
        this.creating = true;
    }

    handleClose() {
        this.editing = null;
        this.creating = false;
        const target = this.returnFocusTo;
        if (target) Promise.resolve().then(() => target.focus());
    }

    handleSaved(event) {
        const saved = event.detail.field;
        const exists = this.fields.some((f) => f.key === saved.key);
        this.fields = exists ? this.fields.map((f) => (f.key === saved.key ? saved : f)) : [...this.fields, saved];
        this.toast(
            'success',
            'Saved',
            `${saved.displayName}: ${saved.pushesToSalesforce ? 'pushes to Salesforce' : saved.reason}`
        );
        this.handleClose();
    }

    async handleSyncToggle(event) {
        const enabled = event.target.checked;
        this.switching = true;
        try {
            const answer = await client.updateObject(this.objectApiName, { syncToSalesforce: enabled });
            this.object = { ...this.object, ...((answer && answer.object) || answer) };
            this.toast(
                'success',
                enabled ? 'Writeback enabled' : 'Writeback disabled',
                (answer && answer.message) ||
                    (enabled
                        ? `Writeback to Salesforce is enabled for ${this.label}`
                        : `Writeback to Salesforce is disabled for ${this.label}: edits stay in Statisfy`)
            );
            this.fields = await client.fields(this.objectApiName);
            this.dispatchEvent(new CustomEvent('objectschanged'));
        } catch (e) {
            event.target.checked = !enabled;
            this.toast('error', 'Could not change Sync to Salesforce', e.message);
        } finally {
            this.switching = false;
        }
    }

    toast(variant, title, message) {
        this.dispatchEvent(new CustomEvent('toast', { detail: { variant, title, message } }));
    }
}
