import { LightningElement, api } from 'lwc';

/** How many matches the list shows at once; typing narrows the list further. */
const MAX_SHOWN = 50;

let seq = 0;

/**
 * Searchable single-select picker over an object's Salesforce fields ("Field available in the CRM" and "Salesforce
 * field API name"), the web app's copy of the package's force-app/main/default/lwc/fieldPicker (same behaviour,
 * light DOM, ids made unique per instance). Each option shows the field's label and, under it, its API name, type
 * and whether it is read-only in Salesforce.
 * Follows the ARIA 1.2 combobox pattern with the SLDS combobox blueprint: type to filter by label or
 * API name, ArrowUp/ArrowDown to move, Enter to choose, Escape to close the list.
 *
 * Fires `fieldchange` (not `change`: in light DOM the input's own change event bubbles) with `detail = { value, option }` (`value` is the chosen API name, or null when cleared).
 */
export default class FieldPicker extends LightningElement {
    static renderMode = 'light';
    uid = `picker-${++seq}`;
    @api label = 'Field available in the CRM';
    @api placeholder = 'Search Salesforce fields';
    @api required = false;
    @api disabled = false;
    /** Error text shown under the input (the input is then marked invalid). */
    @api error;
    /** Help text shown under the input. */
    @api help;

    inputValue = '';
    filterText = '';
    isOpen = false;
    activeIndex = -1;

    _options = [];
    _value = null;

    /** FieldOptionDto[]: { apiName, label, type, updateable }. */
    @api
    get options() {
        return this._options;
    }
    set options(value) {
        this._options = Array.isArray(value) ? value : [];
        this.inputValue = this.displayOf(this._value);
    }

    /** The chosen field's API name. */
    @api
    get value() {
        return this._value;
    }
    set value(apiName) {
        this._value = apiName || null;
        this.inputValue = this.displayOf(this._value);
        this.filterText = '';
    }

    /** Moves keyboard focus to the search input. */
    @api
    focus() {
        const input = this.querySelector('input');
        if (input) {
            input.focus();
        }
    }

    get selectedOption() {
        return this.findOption(this._value);
    }

    get matches() {
        const needle = this.filterText.trim().toLowerCase();
        const found = needle
            ? this._options.filter(
                  (option) =>
                      option.apiName.toLowerCase().includes(needle) ||
                      (option.label || '').toLowerCase().includes(needle)
              )
            : this._options;
        return found.slice(0, MAX_SHOWN);
    }

    get shownOptions() {
        return this.matches.map((option, index) => {
            const active = index === this.activeIndex;
            const selected = option.apiName === this._value;
            return {
                ...option,
                id: `${this.uid}-option-${index}`,
                meta: `${option.apiName} · ${option.type}${option.updateable === false ? ' · read-only' : ''}`,
                selected: selected ? 'true' : 'false',
                className:
                    'slds-media slds-listbox__option slds-listbox__option_plain slds-media_small' +
                    (active ? ' slds-has-focus' : '')
            };
        });
    }

    get hasMatches() {
        return this.matches.length > 0;
    }

    get expanded() {
        return this.isOpen ? 'true' : 'false';
    }

    get activeDescendant() {
        return this.isOpen && this.activeIndex >= 0 && this.activeIndex < this.matches.length
            ? `${this.uid}-option-${this.activeIndex}`
            : undefined;
    }

    get comboboxClass() {
        return 'slds-combobox slds-dropdown-trigger slds-dropdown-trigger_click' + (this.isOpen ? ' slds-is-open' : '');
    }

    get formElementClass() {
        return 'slds-form-element' + (this.error ? ' slds-has-error' : '');
    }

    get inputId() {
        return `${this.uid}-input`;
    }

    get listboxId() {
        return `${this.uid}-listbox`;
    }

    get errorId() {
        return `${this.uid}-error`;
    }

    get helpId() {
        return `${this.uid}-help`;
    }

    get describedBy() {
        return (
            [this.help ? this.helpId : null, this.error ? this.errorId : null].filter(Boolean).join(' ') || undefined
        );
    }

    get invalid() {
        return this.error ? 'true' : 'false';
    }

    get statusText() {
        if (!this.isOpen) {
            return '';
        }
        const count = this.matches.length;
        return count === 1 ? '1 field found' : `${count} fields found`;
    }

    findOption(apiName) {
        if (!apiName) {
            return undefined;
        }
        const wanted = apiName.toLowerCase();
        return this._options.find((option) => option.apiName.toLowerCase() === wanted);
    }

    displayOf(apiName) {
        if (!apiName) {
            return '';
        }
        const option = this.findOption(apiName);
        return option ? `${option.label} (${option.apiName})` : apiName;
    }

    open() {
        this.isOpen = true;
        const selectedIndex = this.matches.findIndex((option) => option.apiName === this._value);
        this.activeIndex = selectedIndex >= 0 ? selectedIndex : 0;
    }

    close() {
        this.isOpen = false;
        this.activeIndex = -1;
    }

    choose(option) {
        const apiName = option ? option.apiName : null;
        this._value = apiName;
        this.inputValue = this.displayOf(apiName);
        this.filterText = '';
        this.close();
        this.dispatchEvent(new CustomEvent('fieldchange', { detail: { value: apiName, option: option || null } }));
    }

    handleInput(event) {
        this.inputValue = event.target.value;
        this.filterText = event.target.value;
        this.isOpen = true;
        this.activeIndex = this.matches.length > 0 ? 0 : -1;
    }

    handleClick() {
        if (this.isOpen) {
            this.close();
        } else {
            this.open();
        }
    }

    handleKeyDown(event) {
        const count = this.matches.length;
        switch (event.key) {
            case 'ArrowDown':
                event.preventDefault();
                if (!this.isOpen) {
                    this.open();
                } else if (count > 0) {
                    this.activeIndex = (this.activeIndex + 1) % count;
                }
                break;
            case 'ArrowUp':
                event.preventDefault();
                if (!this.isOpen) {
                    this.open();
                } else if (count > 0) {
                    this.activeIndex = this.activeIndex <= 0 ? count - 1 : this.activeIndex - 1;
                }
                break;
            case 'Enter':
                if (this.isOpen && this.activeIndex >= 0 && this.activeIndex < count) {
                    event.preventDefault();
                    this.choose(this.matches[this.activeIndex]);
                }
                break;
            case 'Escape':
                if (this.isOpen) {
                    // Closing the list must not also close a surrounding dialog.
                    event.preventDefault();
                    event.stopPropagation();
                    this.close();
                }
                break;
            case 'Tab':
                this.close();
                break;
            default:
        }
    }

    handleBlur() {
        const typed = this.inputValue.trim();
        this.close();
        if (typed === '') {
            // Emptied: the choice is cleared (the package's copy only cleared it when text had been typed first).
            if (this._value) this.choose(null);
            return;
        }
        if (this.filterText === '') {
            return;
        }
        const exact = this.findOption(typed);
        if (exact) {
            this.choose(exact);
        } else if (this._options.length === 0) {
            // The org's fields could not be read: take the typed API name as it is (the companion checks it).
            this.choose({ apiName: typed, label: typed });
        } else {
            // Nothing chosen: show the current choice again instead of leaving unmatched text behind.
            this.inputValue = this.displayOf(this._value);
            this.filterText = '';
        }
    }

    handleListMouseDown(event) {
        // Keep focus in the input so choosing with the mouse does not blur first.
        event.preventDefault();
    }

    handleOptionClick(event) {
        const apiName = event.currentTarget.dataset.apiName;
        this.choose(this.findOption(apiName));
    }
}
