import { LightningElement, api } from 'lwc';
import { FIELD_TYPE_LABELS, STATISFY_FIELD_TYPES, statisfyTypeFor, typesCompatible } from 'contracts/field-types';
import { writebackReasons } from 'contracts/sync-rules';
import { client } from 's/api';
import { trapFocus } from 's/dialog';

/** Limits of the inputs, as the API checks them (companion/src/api/schemas.ts, domain/configuration.ts). */
const DISPLAY_NAME_MAX = 255;
const FIELD_NAME_MAX = 80;
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Where an API error detail belongs in the form (`body.displayName` → `displayName`). */
const FORM_PATHS = ['displayName', 'salesforceField', 'editable', 'key', 'type'];

/**
 * The Edit dialog of a field (and the New field dialog): "Field available in the CRM" (fields from Salesforce) or
 * "Salesforce field API name" (fields created in Statisfy), both a searchable picker over the org's describe
 * (s/fieldPicker, label and API name); "Display name in Statisfy"; Editable; for a new field its type, taken from
 * the chosen Salesforce field and listed by Salesforce's labels. The preview under the form applies the same rules
 * as the companion before Save (every writeback rule that would keep the field back, and from describe: a
 * read-only Salesforce field cannot be Editable, the types must fit), so it never promises what Save refuses. Each
 * error is shown once, next to its input, in plain words.
 */
export default class FieldEditor extends LightningElement {
    static renderMode = 'light';
    @api objectApiName;
    @api objectLabel;
    @api field;
    /** The object's Sync to Salesforce (from the object page). */
    @api syncToSalesforce;

    displayName = '';
    salesforceField = '';
    editable = false;
    name = '';
    type = 'text';
    typeTouched = false;
    errors = {};
    formError = '';
    saving = false;
    described = [];
    describeLoaded = false;
    describeError = '';

    crmRequired = true;
    displayNameMax = DISPLAY_NAME_MAX;
    fieldNameMax = FIELD_NAME_MAX;

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
            const first = this.querySelector('[data-autofocus] input, input[data-autofocus]');
            if (first) {
                this.focused = true;
                first.focus();
            }
        }
    }

    async loadOptions() {
        try {
            this.described = await client.salesforceFields(this.objectApiName);
            this.describeError = '';
        } catch (e) {
            this.described = [];
            this.describeError = `The org's fields could not be read (${e.message}); type the API name.`;
        } finally {
            this.describeLoaded = true;
        }
    }

    get pickerOptions() {
        return this.described.map((f) => ({
            apiName: f.apiName,
            label: f.label,
            type: f.type,
            updateable: f.updateable
        }));
    }

    get chosen() {
        const name = this.salesforceField.trim().toLowerCase();
        return name ? this.described.find((f) => f.apiName.toLowerCase() === name) || null : null;
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
        return STATISFY_FIELD_TYPES.map((t) => ({ value: t, label: FIELD_TYPE_LABELS[t], selected: t === this.type }));
    }

    get typeLabel() {
        return FIELD_TYPE_LABELS[this.type] || this.type;
    }

    get typeHelp() {
        const f = this.chosen;
        if (!f) return 'Choose a Salesforce field to take its type, or pick one.';
        const fit = statisfyTypeFor(f.type);
        return fit
            ? `Taken from ${f.label} (${f.apiName}), a ${f.type} field in Salesforce.`
            : `${f.label} is a ${f.type} field in Salesforce; no Statisfy type writes to it.`;
    }

    /** Problems the describe shows before Save (the companion's checks, same words). */
    get describeProblems() {
        const problems = {};
        const f = this.chosen;
        const name = this.salesforceField.trim();
        if (name && this.describeLoaded && this.described.length && !f) {
            problems.salesforceField = `Field ${name} does not exist on ${this.objectApiName}`;
        }
        if (f && this.editable && f.updateable === false) {
            problems.editable = `Field ${f.apiName} is not updateable in Salesforce, so it cannot be Editable`;
        }
        if (f && !typesCompatible(this.type, f.type)) {
            problems.salesforceField = `Type ${this.typeLabel} of ${this.displayName || 'this field'} does not fit Salesforce field ${f.apiName} of type ${f.type}`;
        }
        return problems;
    }

    /** Problems of the form itself (required, format), the API's rules. */
    get formProblems() {
        const problems = {};
        if (!this.displayName.trim()) problems.displayName = 'Display name in Statisfy is required';
        if (this.isNew) {
            const n = this.name.trim();
            if (!n) problems.key = 'Field name is required';
            else if (!FIELD_NAME.test(n))
                problems.key = 'Field name takes letters, digits and _ and starts with a letter';
        }
        if (this.fromSalesforce && !this.salesforceField.trim()) {
            problems.salesforceField = 'Salesforce field API name is required for fields that came from Salesforce';
        }
        return problems;
    }

    get reasons() {
        return writebackReasons({
            object: { syncToSalesforce: !!this.syncToSalesforce },
            mapping: { editable: this.editable, salesforceField: this.salesforceField.trim(), active: true }
        });
    }

    get preview() {
        // The problem itself is shown once, at its input; the preview only says that Save would refuse.
        if (Object.keys(this.describeProblems).length) return 'Not saved like this: fix the field marked above first.';
        const reasons = this.reasons;
        return reasons.length
            ? `After saving, edits stay in Statisfy: ${reasons.join('; ')}.`
            : 'After saving, edits of this field push to Salesforce.';
    }

    get previewClass() {
        const blocked = Object.keys(this.describeProblems).length > 0;
        const pushes = !blocked && this.reasons.length === 0;
        const theme = blocked ? 'statisfy-preview_blocked' : pushes ? 'slds-theme_success' : 'slds-theme_shade';
        return `slds-box slds-box_x-small slds-m-top_medium ${theme}`;
    }

    /** The one message shown for an input: a refused Save's, else what describe already shows. */
    messageFor(name) {
        return this.errors[name] || this.describeProblems[name] || '';
    }

    elementClass(name) {
        return `slds-form-element slds-m-bottom_small${this.messageFor(name) ? ' slds-has-error' : ''}`;
    }

    get nameClass() {
        return this.elementClass('key');
    }

    get displayNameClass() {
        return this.elementClass('displayName');
    }

    get editableClass() {
        return this.elementClass('editable');
    }

    get typeClass() {
        return this.elementClass('type');
    }

    get nameError() {
        return this.messageFor('key');
    }

    get displayNameError() {
        return this.messageFor('displayName');
    }

    get salesforceFieldError() {
        return this.messageFor('salesforceField');
    }

    get editableError() {
        return this.messageFor('editable');
    }

    get typeError() {
        return this.messageFor('type');
    }

    get sfHelp() {
        if (this.describeError) return this.describeError;
        return this.fromStatisfy
            ? 'Which Salesforce field to update. Leave it blank to keep the field local to Statisfy.'
            : 'The Salesforce field this Statisfy field reads and writes.';
    }

    get nameDescribedBy() {
        return this.nameError ? 'fe-name-help fe-name-error' : 'fe-name-help';
    }

    get displayNameDescribedBy() {
        return this.displayNameError ? 'fe-display-name-error' : null;
    }

    get editableDescribedBy() {
        return this.editableError ? 'fe-editable-help fe-editable-error' : 'fe-editable-help';
    }

    handleInput(event) {
        const name = event.target.name;
        if (name === 'editable') this.editable = event.target.checked;
        else if (name === 'type') {
            this.type = event.target.value;
            this.typeTouched = true;
        } else this[name] = event.target.value;
        if (this.errors[name === 'name' ? 'key' : name]) {
            this.errors = { ...this.errors, [name === 'name' ? 'key' : name]: '' };
        }
    }

    handlePick(event) {
        this.salesforceField = event.detail.value || '';
        this.errors = { ...this.errors, salesforceField: '' };
        const option = event.detail.option;
        if (this.isNew && option && option.type) {
            const fit = statisfyTypeFor(option.type);
            if (fit) this.type = fit;
            if (!this.displayName.trim()) this.displayName = option.label || '';
            if (!this.name.trim() && option.apiName) this.name = option.apiName.replace(/__c$/i, '');
        }
    }

    handleKeydown(event) {
        const target = event.target;
        if (
            event.key === 'Enter' &&
            target.tagName === 'INPUT' &&
            target.type !== 'checkbox' &&
            !event.defaultPrevented
        ) {
            // Enter in a text field saves, as in a form.
            this.handleSave(event);
        } else if (event.key === 'Escape') {
            event.stopPropagation();
            this.close();
        } else trapFocus(event, this.querySelector('section'));
    }

    close() {
        this.dispatchEvent(new CustomEvent('close'));
    }

    async handleSave(event) {
        event.preventDefault();
        if (this.saving) return;
        const problems = { ...this.formProblems, ...this.describeProblems };
        this.errors = problems;
        this.formError = '';
        if (Object.keys(problems).length) return;
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
            // Each detail goes next to its input; only what belongs to no input is shown above the form.
            const byField = {};
            const rest = [];
            (e.details || []).forEach((d) => {
                const path = String(d.path || '')
                    .replace(/^body\./, '')
                    .replace(/^name$/, 'key');
                if (FORM_PATHS.includes(path))
                    byField[path] = byField[path] ? `${byField[path]}; ${d.message}` : d.message;
                else rest.push(d.message);
            });
            this.errors = byField;
            this.formError = Object.keys(byField).length ? rest.join('; ') : e.message;
        } finally {
            this.saving = false;
        }
    }
}
