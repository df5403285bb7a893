import { LightningElement, api, wire } from 'lwc';
import getSalesforceFields from '@salesforce/apex/StatisfyConfigController.getSalesforceFields';
import saveFieldMapping from '@salesforce/apex/StatisfyConfigController.saveFieldMapping';
import { reduceErrors } from 'c/ldsUtils';

const ORIGIN_SALESFORCE = 'Salesforce';
const ORIGIN_STATISFY = 'Statisfy';
const DISPLAY_NAME_REQUIRED = 'Display name in Statisfy is required';

/**
 * Which input an Apex validation message belongs to (messages as listed in PACKAGE-API.md).
 * Messages that match no rule are shown in the dialog's error panel.
 */
const MESSAGE_TARGETS = [
    { pattern: /^Display name in Statisfy/, target: 'displayName' },
    { pattern: /is not updateable in Salesforce, so it cannot be Editable$/, target: 'editable' },
    {
        pattern:
            /^(Field .+ (does not exist on|is already mapped to) |Salesforce field API name |Type .+ does not fit )/,
        target: 'salesforceField'
    }
];

/**
 * The Edit dialog of a Statisfy field: "Field available in the CRM", "Display name in Statisfy",
 * "Editable" and, for fields created in Statisfy, "Salesforce field API name". An accessible SLDS
 * modal: focus moves into it on open, Tab and Shift+Tab stay inside, Escape cancels.
 *
 * Fires `save` (`detail` = the saved FieldRowDto) after a successful save and `close` on cancel.
 * The parent removes the dialog and puts focus back on the control that opened it.
 */
export default class FieldEditor extends LightningElement {
    /** API name of the object the field belongs to, e.g. `Opportunity`. */
    @api objectApiName;
    /** Display name of that object, e.g. `Opportunities`. */
    @api objectLabel;

    displayName = '';
    salesforceField = '';
    editable = false;
    origin = ORIGIN_STATISFY;
    errors = {};
    formErrors;
    saving = false;
    fieldOptions = [];
    optionsError;

    _field = {};
    focusedOnOpen = false;

    /** The FieldRowDto to edit; for a new Statisfy field pass `{ origin: 'Statisfy' }` or nothing. */
    @api
    get field() {
        return this._field;
    }
    set field(value) {
        const field = value || {};
        this._field = field;
        this.origin =
            field.origin === ORIGIN_SALESFORCE || (!field.origin && field.salesforceField)
                ? ORIGIN_SALESFORCE
                : ORIGIN_STATISFY;
        this.displayName = field.displayName || field.salesforceLabel || '';
        this.salesforceField = field.salesforceField || '';
        this.editable = field.editable === true;
        this.errors = {};
        this.formErrors = undefined;
    }

    @wire(getSalesforceFields, { objectApiName: '$objectApiName' })
    wiredFields({ data, error }) {
        if (data) {
            this.fieldOptions = data;
            this.optionsError = undefined;
        } else if (error) {
            this.fieldOptions = [];
            this.optionsError = error;
        }
    }

    renderedCallback() {
        if (!this.focusedOnOpen) {
            this.focusedOnOpen = true;
            this.focusFirstInput();
        }
    }

    get isStatisfyField() {
        return this.origin === ORIGIN_STATISFY;
    }

    get isSalesforceField() {
        return this.origin === ORIGIN_SALESFORCE;
    }

    get isNew() {
        return !this._field.mappingId;
    }

    get heading() {
        if (!this.isNew) {
            return `Edit ${this._field.displayName || 'field'}`;
        }
        return this.isStatisfyField ? 'New field' : `Sync ${this.displayName || 'a Salesforce field'}`;
    }

    get subheading() {
        const where = this.objectLabel || this.objectApiName;
        return this.isStatisfyField ? `${where} · field created in Statisfy` : `${where} · field from Salesforce`;
    }

    get selectedOption() {
        return this.fieldOptions.find((option) => option.apiName === this.salesforceField);
    }

    get readOnlyInSalesforce() {
        const option = this.selectedOption;
        return Boolean(option && option.updateable === false);
    }

    get pushHint() {
        if (!this.editable) {
            return 'Not Editable: users cannot change the value in Statisfy, so nothing pushes back.';
        }
        if (this.readOnlyInSalesforce) {
            return `${this.salesforceField} is read-only in Salesforce, so this field cannot be Editable.`;
        }
        if (this.isStatisfyField && !this.salesforceField.trim()) {
            return 'No Salesforce field API name: edits stay in Statisfy.';
        }
        return 'Edits push to Salesforce on the next sync when the object has Sync to Salesforce on.';
    }

    get displayNameClass() {
        return 'slds-form-element' + (this.errors.displayName ? ' slds-has-error' : '');
    }

    get apiNameClass() {
        return 'slds-form-element' + (this.errors.salesforceField ? ' slds-has-error' : '');
    }

    get editableClass() {
        return 'slds-form-element' + (this.errors.editable ? ' slds-has-error' : '');
    }

    get displayNameDescribedBy() {
        return this.errors.displayName ? 'display-name-error' : undefined;
    }

    get apiNameDescribedBy() {
        return this.errors.salesforceField ? 'api-name-error api-name-help' : 'api-name-help';
    }

    get editableDescribedBy() {
        return this.errors.editable ? 'editable-error editable-help' : 'editable-help';
    }

    get displayNameInvalid() {
        return this.errors.displayName ? 'true' : 'false';
    }

    get apiNameInvalid() {
        return this.errors.salesforceField ? 'true' : 'false';
    }

    get saveLabel() {
        return this.saving ? 'Saving…' : 'Save';
    }

    focusFirstInput() {
        const target = this.isStatisfyField
            ? this.template.querySelector('[data-id="displayName"]')
            : this.template.querySelector('c-field-picker');
        if (target) {
            target.focus();
        }
    }

    focusFirstInvalid() {
        const order = [
            ['salesforceField', this.isStatisfyField ? '[data-id="salesforceField"]' : 'c-field-picker'],
            ['displayName', '[data-id="displayName"]'],
            ['editable', '[data-id="editable"]']
        ];
        const first = order.find(([name]) => this.errors[name]);
        if (first) {
            const element = this.template.querySelector(first[1]);
            if (element) {
                element.focus();
            }
        }
    }

    handlePickerChange(event) {
        const { value, option } = event.detail;
        this.salesforceField = value || '';
        if (option && !this.displayName.trim()) {
            this.displayName = option.label;
        }
        this.clearError('salesforceField');
    }

    handleDisplayNameInput(event) {
        this.displayName = event.target.value;
        this.clearError('displayName');
    }

    handleApiNameInput(event) {
        this.salesforceField = event.target.value;
        this.clearError('salesforceField');
    }

    handleEditableChange(event) {
        this.editable = event.target.checked;
        this.clearError('editable');
    }

    clearError(name) {
        if (this.errors[name]) {
            this.errors = { ...this.errors, [name]: undefined };
        }
    }

    handleKeyDown(event) {
        if (event.key === 'Escape') {
            event.preventDefault();
            this.handleCancel();
        } else if (event.key === 'Tab') {
            this.keepFocusInside(event);
        }
    }

    /** Focus trap: Tab from the last control goes to the first, Shift+Tab from the first to the last. */
    keepFocusInside(event) {
        const first = this.template.querySelector('.modal-close');
        const save = this.template.querySelector('.modal-save');
        const last = save && !save.disabled ? save : this.template.querySelector('.modal-cancel');
        const active = this.template.activeElement;
        if (event.shiftKey && (active === first || !active || active === this.template.querySelector('section'))) {
            event.preventDefault();
            last.focus();
        } else if (!event.shiftKey && active === last) {
            event.preventDefault();
            first.focus();
        }
    }

    handleCancel() {
        if (!this.saving) {
            this.dispatchEvent(new CustomEvent('close'));
        }
    }

    buildMapping(displayName) {
        const salesforceField = this.salesforceField.trim();
        return {
            mappingId: this._field.mappingId || null,
            key: this._field.key || null,
            salesforceField: salesforceField || null,
            displayName,
            editable: this.editable,
            origin: this.origin
        };
    }

    async handleSave() {
        const displayName = this.displayName.trim();
        this.formErrors = undefined;
        if (!displayName) {
            this.errors = { displayName: DISPLAY_NAME_REQUIRED };
            this.focusFirstInvalid();
            return;
        }
        this.errors = {};
        this.saving = true;
        try {
            const saved = await saveFieldMapping({
                objectApiName: this.objectApiName,
                mappingJson: JSON.stringify(this.buildMapping(displayName))
            });
            this.saving = false;
            this.dispatchEvent(new CustomEvent('save', { detail: saved }));
        } catch (error) {
            this.saving = false;
            this.showSaveErrors(error);
        }
    }

    /** Puts each Apex validation message under the input it is about; the rest go to the error panel. */
    showSaveErrors(error) {
        const errors = {};
        const unplaced = [];
        reduceErrors(error).forEach((message) => {
            const rule = MESSAGE_TARGETS.find(({ pattern }) => pattern.test(message));
            if (rule && !errors[rule.target]) {
                errors[rule.target] = message;
            } else {
                unplaced.push(message);
            }
        });
        this.errors = errors;
        this.formErrors = unplaced.length > 0 ? unplaced : undefined;
        // The error panel and the inline messages render first, then focus goes to the first invalid input.
        Promise.resolve().then(() => this.focusFirstInvalid());
    }
}
