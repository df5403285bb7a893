import { LightningElement, api } from 'lwc';
import { client } from 's/api';
import { STATISFY_FIELD_TYPES as TYPES } from 'contracts/field-types';
import { writebackReason } from 'contracts/sync-rules';

/** The companion's own rules and wording (ARCHITECTURE §2, contracts/sync-rules), for the preview under the form. */
function previewReason(syncToSalesforce, editable, salesforceField) {
    return writebackReason({ object: { syncToSalesforce }, mapping: { editable, salesforceField, active: true } });
}

/**
 * The Edit dialog of a field (and the New field dialog): "Field available in the CRM" (fields from Salesforce),
 * "Display name in Statisfy", Editable, and "Salesforce field API name" (fields created in Statisfy) → Save.
 * The companion validates against the org's describe; its messages are shown next to the fields they name.
 */
export default class FieldEditor extends LightningElement {
    static renderMode = 'light';
    @api objectApiName;
    @api objectLabel;
    @api field;
    @api syncToSalesforce;

    displayName = '';
    salesforceField = '';
    editable = false;
    name = '';
    type = 'text';
    errors = {};
    formError = '';
    saving = false;
    sfOptions = [];
    objectSync = null;

    connectedCallback() {
        if (this.field) {
            this.displayName = this.field.displayName || '';
            this.salesforceField = this.field.salesforceField || '';
            this.editable = !!this.field.editable;
            this.type = this.field.type;
        }
        this.loadOptions();
    }

    renderedCallback() {
        if (!this.focused) {
            this.focused = true;
            const first = this.querySelector('[data-autofocus]');
            if (first) first.focus();
        }
    }

    async loadOptions() {
        try {
            const objects = await client.objects();
            const o = objects.find((x) => x.objectApiName === this.objectApiName);
            this.objectSync = o ? !!o.syncToSalesforce : null;
        } catch (e) {
            this.objectSync = null;
        }
        let options = [];
        try {
            options = (await client.salesforceFields(this.objectApiName)).map((f) => ({
                value: f.apiName || f.name,
                label: `${f.label || f.apiName || f.name}${f.updateable === false ? ' (read only)' : ''}`
            }));
        } catch (e) {
            // No describe route: offer the Salesforce fields the object already maps.
            const fields = await client.fields(this.objectApiName).catch(() => []);
            options = fields
                .filter((f) => f.salesforceField)
                .map((f) => ({ value: f.salesforceField, label: f.displayName }));
        }
        this.sfOptions = options.map((o, i) => ({ ...o, key: `${o.value}-${i}` }));
    }

    get isNew() {
        return !this.field;
    }

    get fromSalesforce() {
        return !!this.field && this.field.origin === 'salesforce';
    }

    get fromStatisfy() {
        return !this.fromSalesforce;
    }

    get title() {
        return this.isNew ? `New field on ${this.objectLabel}` : `Edit ${this.field.displayName}`;
    }

    get typeOptions() {
        return TYPES.map((t) => ({ value: t, label: t, selected: t === this.type }));
    }

    get preview() {
        if (this.objectSync === null) return '';
        const reason = previewReason(this.objectSync, this.editable, this.salesforceField.trim());
        return reason
            ? `After saving, edits stay in Statisfy: ${reason}`
            : 'After saving, edits of this field push to Salesforce.';
    }

    get previewClass() {
        const pushes = this.objectSync && this.editable && this.salesforceField.trim();
        return `slds-box slds-box_x-small slds-m-top_medium ${pushes ? 'slds-theme_success' : 'slds-theme_shade'}`;
    }

    elementClass(name) {
        return `slds-form-element slds-m-bottom_small${this.errors[name] ? ' slds-has-error' : ''}`;
    }

    get nameClass() {
        return this.elementClass('key');
    }

    get displayNameClass() {
        return this.elementClass('displayName');
    }

    get salesforceFieldClass() {
        return this.elementClass('salesforceField');
    }

    get editableClass() {
        return this.elementClass('editable');
    }

    get nameError() {
        return this.errors.key || '';
    }

    get displayNameError() {
        return this.errors.displayName || '';
    }

    get salesforceFieldError() {
        return this.errors.salesforceField || '';
    }

    get editableError() {
        return this.errors.editable || '';
    }

    handleInput(event) {
        const name = event.target.name;
        if (name === 'editable') this.editable = event.target.checked;
        else this[name] = event.target.value;
    }

    handleKeydown(event) {
        const target = event.target;
        if (event.key === 'Enter' && target.tagName === 'INPUT' && target.type !== 'checkbox') {
            // Enter in a text field saves, as in a form.
            this.handleSave(event);
        } else if (event.key === 'Escape') {
            event.stopPropagation();
            this.close();
        } else if (event.key === 'Tab') {
            // Keep focus inside the dialog.
            const focusable = [...this.querySelectorAll('input, select, button, textarea')].filter(
                (el) => !el.disabled
            );
            if (!focusable.length) return;
            const first = focusable[0];
            const last = focusable[focusable.length - 1];
            if (event.shiftKey && document.activeElement === first) {
                event.preventDefault();
                last.focus();
            } else if (!event.shiftKey && document.activeElement === last) {
                event.preventDefault();
                first.focus();
            }
        }
    }

    close() {
        this.dispatchEvent(new CustomEvent('close'));
    }

    async handleSave(event) {
        event.preventDefault();
        if (this.saving) return;
        const errors = {};
        if (!this.displayName.trim()) errors.displayName = 'Display name in Statisfy is required';
        if (this.isNew && !this.name.trim()) errors.key = 'Field name is required';
        if (this.fromSalesforce && !this.salesforceField.trim()) {
            errors.salesforceField = 'Salesforce field API name is required for fields that came from Salesforce';
        }
        this.errors = errors;
        this.formError = '';
        if (Object.keys(errors).length) return;
        this.saving = true;
        try {
            let answer;
            const salesforceField = this.salesforceField.trim() || null;
            if (this.isNew) {
                answer = await client.createField(this.objectApiName, {
                    key: this.name.trim(),
                    displayName: this.displayName.trim(),
                    type: this.type,
                    editable: this.editable,
                    salesforceField
                });
            } else {
                answer = await client.updateField(this.objectApiName, this.field.key, {
                    displayName: this.displayName.trim(),
                    salesforceField,
                    editable: this.editable
                });
            }
            const field = (answer && answer.field) || answer;
            this.dispatchEvent(new CustomEvent('saved', { detail: { field } }));
        } catch (e) {
            const byField = {};
            (e.details || []).forEach((d) => {
                const path = String(d.path || '').replace(/^body\./, '');
                if (['displayName', 'salesforceField', 'editable', 'key', 'type'].includes(path)) {
                    byField[path] = byField[path] ? `${byField[path]}; ${d.message}` : d.message;
                }
            });
            this.errors = byField;
            this.formError = e.message;
        } finally {
            this.saving = false;
        }
    }
}
