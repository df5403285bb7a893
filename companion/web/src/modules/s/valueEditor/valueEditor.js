import { LightningElement, api } from 'lwc';
import { toInput } from 's/format';
import {
    editorKind,
    htmlInputType,
    limitsText,
    maxLength,
    numberStep,
    picklistOptions,
    validateInput
} from 's/validate';

let seq = 0;

/**
 * The editor of one field value, fitted to its type: a checkbox, a picklist of the org's describe values, a
 * multi-select, a number input with the field's precision, a date, date-and-time or time input, a text area, or a
 * text input carrying the field's length. The value is checked (s/validate) before `commit` fires; a bad value
 * keeps the editor open with the reason under it.
 *
 * Events: `commit` `{ value }` (Enter, or `submit()`), `cancel` (Escape).
 */
export default class ValueEditor extends LightningElement {
    static renderMode = 'light';
    /** The field (GET /objects/:object/fields item). */
    @api field;
    /** The field's describe entry (GET /objects/:object/salesforce-fields item), or null. */
    @api describe;
    /** The current value. */
    @api value;
    /** The accessible name of the input. */
    @api label;
    error = '';
    uid = `ve-${++seq}`;
    /** What the person typed (LWC re-applies `value` on every render, so the template must bind the draft). */
    draft = null;
    draftChecked = null;

    get kind() {
        return editorKind(this.field);
    }

    get isCheckbox() {
        return this.kind === 'checkbox';
    }

    get isPicklist() {
        return this.kind === 'picklist' || (this.kind === 'text' && this.options.length > 0);
    }

    get isMulti() {
        return this.kind === 'multipicklist';
    }

    get isTextarea() {
        return this.kind === 'textarea';
    }

    get options() {
        return picklistOptions(this.field, this.describe);
    }

    get selectOptions() {
        const stored = this.value === null || this.value === undefined ? '' : String(this.value);
        const current = this.draft !== null ? this.draft : stored;
        const chosen = new Set(this.isMulti ? current.split(';') : [current]);
        const list = this.options.map((o) => ({ ...o, selected: chosen.has(o.value) }));
        // A value the org no longer offers is still shown, so it is not silently replaced.
        if (!this.isMulti && stored && !this.options.some((o) => o.value === stored)) {
            list.unshift({ value: stored, label: `${stored} (not a current value)`, selected: current === stored });
        }
        if (!this.isMulti) list.unshift({ value: '', label: '--None--', selected: current === '' });
        return list.map((o, i) => ({ ...o, key: `${i}-${o.value}` }));
    }

    get inputType() {
        return htmlInputType(this.field);
    }

    get inputValue() {
        return this.draft !== null ? this.draft : toInput(this.value, this.field && this.field.type);
    }

    get checked() {
        return this.draftChecked !== null ? this.draftChecked : this.value === true;
    }

    get step() {
        return numberStep(this.describe);
    }

    get maxlength() {
        return maxLength(this.field, this.describe);
    }

    get limits() {
        return limitsText(this.field, this.describe);
    }

    get helpId() {
        return `${this.uid}-help`;
    }

    get errorId() {
        return `${this.uid}-error`;
    }

    get describedBy() {
        return [this.limits ? this.helpId : null, this.error ? this.errorId : null].filter(Boolean).join(' ') || null;
    }

    get invalid() {
        return this.error ? 'true' : 'false';
    }

    get elementClass() {
        return `slds-form-element${this.error ? ' slds-has-error' : ''}`;
    }

    /** Moves focus into the editor (and selects its text). */
    @api
    focus() {
        const input = this.querySelector('[data-editor]');
        if (input) {
            input.focus();
            if (input.select && input.type !== 'number') input.select();
        }
    }

    /** Reads and checks the value: `{ok, value}` or `{ok: false, message}` (the message is also shown). */
    @api
    read() {
        const input = this.querySelector('[data-editor]');
        let raw = input ? input.value : null;
        if (this.isMulti && input) raw = [...input.selectedOptions].map((o) => o.value);
        const result = validateInput(this.field, this.describe, raw, input ? input.checked : false);
        this.error = result.ok ? '' : result.message;
        return result;
    }

    /** Checks the value and fires `commit` when it may be sent; returns whether it did. */
    @api
    submit() {
        const result = this.read();
        if (result.ok) this.dispatchEvent(new CustomEvent('commit', { detail: { value: result.value } }));
        else this.focus();
        return result.ok;
    }

    handleKeydown(event) {
        if (event.key === 'Enter' && !(this.isTextarea && !event.ctrlKey && !event.metaKey) && !this.isMulti) {
            event.preventDefault();
            this.submit();
        } else if (event.key === 'Escape') {
            event.preventDefault();
            event.stopPropagation();
            this.dispatchEvent(new CustomEvent('cancel'));
        }
    }

    handleInput(event) {
        const input = event.target;
        if (input.type === 'checkbox') this.draftChecked = input.checked;
        else if (this.isMulti) this.draft = [...input.selectedOptions].map((o) => o.value).join(';');
        else this.draft = input.value;
        if (this.error) this.read();
    }
}
