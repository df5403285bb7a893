import { LightningElement, api } from 'lwc';
import { CONFLICT_POLICIES, CONFLICT_POLICY_INFO, writebackReasons } from 'contracts/sync-rules';
import { client } from 's/api';
import { formatAgo, objectLabel, typeLabel } from 's/format';

/**
 * One object in Settings → Object Manager: its sync settings (the "Sync to Salesforce" switch, s/syncSwitch, and
 * the conflict policy with what each policy means), then its Statisfy fields and Salesforce fields by display name,
 * each with whether it pushes to Salesforce and, if not, every rule that keeps it back. "Edit" opens the field
 * editor; "New field" creates a Statisfy field. Loading shows placeholders; a failed load an error with "Try again".
 */
export default class ObjectFields extends LightningElement {
    static renderMode = 'light';
    _object;
    object = null;
    fields = [];
    loading = true;
    error = '';
    editing = null;
    creating = false;
    savingPolicy = false;

    /** The object shown; another one (a new route) loads its fields. */
    @api
    get objectApiName() {
        return this._object;
    }
    set objectApiName(value) {
        const changed = value !== this._object;
        this._object = value;
        if (changed && this.isConnected) {
            this.editing = null;
            this.creating = false;
            this.load();
        }
    }

    connectedCallback() {
        this.load();
    }

    async load() {
        this.loading = true;
        this.error = '';
        try {
            const [objects, fields] = await Promise.all([client.objects(), client.fields(this.objectApiName)]);
            this.object = objects.find((o) => o.objectApiName === this.objectApiName) || null;
            this.fields = fields;
            if (!this.object) this.error = `Object ${this.objectApiName} is not synced in this org`;
        } catch (e) {
            this.error = e.message;
        } finally {
            this.loading = false;
        }
    }

    handleRetry() {
        this.load();
    }

    get loaded() {
        return !this.loading && !this.error && !!this.object;
    }

    get label() {
        return this.object ? objectLabel(this.object) : this.objectApiName;
    }

    get syncOn() {
        return !!this.object && this.object.syncToSalesforce;
    }

    get summary() {
        if (this.loading) return `${this.objectApiName} · loading fields…`;
        if (!this.object) return this.objectApiName;
        return `${this.objectApiName} · ${this.fields.length} fields · ${this.pushCount} push to Salesforce`;
    }

    get syncSummary() {
        if (!this.object) return '';
        return this.object.syncToSalesforce
            ? 'On: edits of Editable fields with a Salesforce field flow back to Salesforce on the next sync.'
            : 'Off: edits made in Statisfy stay in Statisfy.';
    }

    get policyOptions() {
        const current = this.object ? this.object.conflictPolicy : null;
        return CONFLICT_POLICIES.map((p) => ({
            value: p,
            label: CONFLICT_POLICY_INFO[p].label,
            description: CONFLICT_POLICY_INFO[p].description,
            selected: p === current,
            itemClass: p === current ? 'statisfy-policy statisfy-policy_current' : 'statisfy-policy'
        }));
    }

    get policyDescription() {
        const info = this.object && CONFLICT_POLICY_INFO[this.object.conflictPolicy];
        return info ? info.description : '';
    }

    rows(origin) {
        const object = this.object || { syncToSalesforce: false };
        return this.fields
            .filter((f) => f.origin === origin)
            .sort((a, b) => a.displayName.localeCompare(b.displayName))
            .map((f) => {
                const reasons = writebackReasons({ object, mapping: f });
                return {
                    ...f,
                    name: f.key.split('.').slice(1).join('.') || f.key,
                    sfLabel: f.salesforceField || '—',
                    typeLabel: typeLabel(f.type),
                    editableLabel: f.editable ? 'Yes' : 'No',
                    pushLabel: reasons.length === 0 ? 'Pushes to Salesforce' : 'Stays in Statisfy',
                    pushClass:
                        reasons.length === 0 ? 'slds-badge slds-theme_success' : 'slds-badge slds-badge_lightest',
                    reasons: reasons.map((r) => ({ key: r, text: r })),
                    editLabel: `Edit ${f.displayName}`,
                    updated: formatAgo(f.updatedAt),
                    rowClass: f.active === false ? 'slds-hint-parent statisfy-inactive' : 'slds-hint-parent'
                };
            });
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

    get hasSalesforceRows() {
        return this.salesforceRows.length > 0;
    }

    get pushCount() {
        const object = this.object || { syncToSalesforce: false };
        return this.fields.filter((f) => writebackReasons({ object, mapping: f }).length === 0).length;
    }

    get showEditor() {
        return !!this.editing || this.creating;
    }

    get statisfyCaption() {
        return `Statisfy fields of ${this.label}`;
    }

    get salesforceCaption() {
        return `Salesforce fields of ${this.label}`;
    }

    get showKey() {
        return true;
    }

    /** Edit from either field table (s-field-table's `edit`: the field's key and the button pressed). */
    handleEdit(event) {
        const { key, target } = event.detail;
        this.returnFocusTo = target;
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
        const reasons = writebackReasons({ object: this.object, mapping: saved });
        this.toast(
            'success',
            'Saved',
            `${saved.displayName}: ${reasons.length ? `stays in Statisfy (${reasons.join('; ')})` : 'pushes to Salesforce'}`
        );
        this.handleClose();
    }

    async handleObjectChanged(event) {
        this.object = event.detail.object;
        this.dispatchEvent(new CustomEvent('objectschanged'));
        try {
            this.fields = await client.fields(this.objectApiName);
        } catch (e) {
            // The switch answered; the field list refreshes on the next load.
        }
    }

    async handlePolicy(event) {
        const conflictPolicy = event.target.value;
        const select = event.target;
        const before = this.object.conflictPolicy;
        this.savingPolicy = true;
        try {
            const answer = await client.updateObject(this.objectApiName, { conflictPolicy });
            this.object = { ...this.object, ...((answer && answer.object) || { conflictPolicy }) };
            this.toast(
                'success',
                `Conflict policy: ${CONFLICT_POLICY_INFO[conflictPolicy].label}`,
                CONFLICT_POLICY_INFO[conflictPolicy].description
            );
            this.dispatchEvent(new CustomEvent('objectschanged'));
        } catch (e) {
            select.value = before;
            this.toast('error', 'Could not change the conflict policy', e.message);
        } finally {
            this.savingPolicy = false;
        }
    }

    handleToast(event) {
        this.dispatchEvent(new CustomEvent('toast', { detail: event.detail }));
    }

    toast(variant, title, message) {
        this.dispatchEvent(new CustomEvent('toast', { detail: { variant, title, message } }));
    }
}
