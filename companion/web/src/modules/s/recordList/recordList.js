import { LightningElement, api } from 'lwc';
import { client } from 's/api';
import { subscribe } from 's/live';
import { formatValue, inputType, objectLabel, parseInput, toInput } from 's/format';

const PAGE_SIZE = 25;
const HIDDEN_TYPES = new Set(['reference', 'id']);

/** The record's name first, then the other fields in their order; ids of other records are left out. */
function orderColumns(fields) {
    const isName = (f) => f.salesforceField === 'Name' || /\.Name$/.test(f.key);
    const visible = fields.filter((f) => !HIDDEN_TYPES.has(String(f.type).toLowerCase()));
    return [...visible.filter(isName), ...visible.filter((f) => !isName(f))];
}
const MAX_COLUMNS = 7;

/**
 * The records of one object (Accounts, Opportunities, People or a custom object): search, sort by any column,
 * paging, inline edit of Editable fields and each record's sync state. Rows refresh live when the companion
 * reports that Salesforce (or a sync) changed them.
 */
export default class RecordList extends LightningElement {
    static renderMode = 'light';
    _object;
    @api objectInfo;

    fields = [];
    items = [];
    q = '';
    sort = '';
    cursors = [null];
    page = 0;
    nextCursor = null;
    loading = true;
    error = '';
    editing = null;
    saving = false;
    flashed = {};

    @api
    get objectApiName() {
        return this._object;
    }
    set objectApiName(value) {
        if (value === this._object) return;
        this._object = value;
        this.reset();
        if (this.isConnected) this.loadAll();
    }

    connectedCallback() {
        this.offLive = subscribe((event) => this.handleLive(event));
        this.loadAll();
    }

    disconnectedCallback() {
        if (this.offLive) this.offLive();
        clearTimeout(this.searchTimer);
        clearTimeout(this.liveTimer);
    }

    reset() {
        this.fields = [];
        this.items = [];
        this.q = '';
        this.sort = '';
        this.cursors = [null];
        this.page = 0;
        this.nextCursor = null;
        this.editing = null;
        this.error = '';
        this.loading = true;
    }

    async loadAll() {
        const object = this._object;
        try {
            const fields = await client.fields(object);
            if (object !== this._object) return;
            this.fields = orderColumns(fields.filter((f) => f.active !== false));
            await this.loadPage();
        } catch (e) {
            this.error = e.message;
            this.loading = false;
        }
    }

    async loadPage() {
        const object = this._object;
        // Only the latest request may fill the table (a slow earlier page must not overwrite a newer sort or search).
        const seq = (this.requestSeq = (this.requestSeq || 0) + 1);
        this.loading = true;
        try {
            const answer = await client.records(object, {
                limit: PAGE_SIZE,
                cursor: this.cursors[this.page],
                q: this.q,
                sort: this.sort
            });
            if (object !== this._object || seq !== this.requestSeq) return;
            this.items = answer.items || [];
            this.nextCursor = answer.nextCursor || null;
            this.error = '';
        } catch (e) {
            if (seq === this.requestSeq) this.error = e.message;
        } finally {
            if (seq === this.requestSeq) this.loading = false;
        }
    }

    /** Live events: refresh the page (debounced) when a shown record or its sync state changed. */
    handleLive({ type, data }) {
        if (this.editing) return;
        if (type === 'record' && data && data.objectApiName === this._object) {
            const ids = new Set(data.ids || []);
            this.pendingFlash = [...(this.pendingFlash || []), ...ids];
            this.scheduleRefresh();
        } else if (type === 'sync') {
            this.scheduleRefresh();
        }
    }

    scheduleRefresh() {
        clearTimeout(this.liveTimer);
        this.liveTimer = setTimeout(async () => {
            const flash = new Set(this.pendingFlash || []);
            this.pendingFlash = [];
            const before = new Map(this.items.map((r) => [r.id, JSON.stringify(r.fields)]));
            await this.loadPage();
            const changed = {};
            this.items.forEach((r) => {
                if (flash.has(r.id) && before.has(r.id) && before.get(r.id) !== JSON.stringify(r.fields))
                    changed[r.id] = true;
            });
            if (Object.keys(changed).length) {
                this.flashed = changed;
                setTimeout(() => {
                    this.flashed = {};
                }, 4000);
            }
        }, 150);
    }

    get label() {
        return this.objectInfo ? objectLabel(this.objectInfo) : this._object;
    }

    get syncNote() {
        if (!this.objectInfo) return '';
        return this.objectInfo.syncToSalesforce
            ? 'Edits to Editable fields go back to Salesforce on the next sync.'
            : 'Sync to Salesforce is off for this object: edits stay in Statisfy.';
    }

    get columns() {
        return this.fields.slice(0, MAX_COLUMNS).map((f) => {
            const name = f.key.split('.').slice(1).join('.');
            const active = this.sort.replace(/^-/, '') === name;
            const desc = active && this.sort.startsWith('-');
            return {
                key: f.key,
                name,
                label: f.displayName,
                ariaSort: active ? (desc ? 'descending' : 'ascending') : 'none',
                sortIcon: active && desc ? 'utility:arrowdown' : 'utility:arrowup',
                sortLabel: `Sort by ${f.displayName}`,
                thClass: `slds-is-sortable${active ? ' slds-is-sorted' : ''} statisfy-th`,
                editable: f.editable
            };
        });
    }

    get rows() {
        const columns = this.columns;
        const fieldByKey = new Map(this.fields.map((f) => [f.key, f]));
        return this.items.map((r) => {
            const titleField = columns[0] ? r.fields[columns[0].key] : r.id;
            const title = formatValue(titleField) || r.id;
            return {
                id: r.id,
                sync: r.sync,
                rowClass: `slds-hint-parent${this.flashed[r.id] ? ' statisfy-flash' : ''}`,
                cells: columns.map((c, i) => {
                    const f = fieldByKey.get(c.key);
                    const isEditing = !!this.editing && this.editing.id === r.id && this.editing.key === c.key;
                    const value = r.fields[c.key];
                    const type = f.type;
                    const kind = inputType(type);
                    const picklist = f.picklistValues && f.picklistValues.length ? f.picklistValues : null;
                    return {
                        key: `${r.id}-${c.key}`,
                        fieldKey: c.key,
                        first: i === 0,
                        text: formatValue(value, type),
                        editable: !!f.editable,
                        editing: isEditing,
                        editLabel: `Edit ${f.displayName} of ${title}`,
                        inputLabel: `${f.displayName} of ${title}`,
                        inputType: kind,
                        isCheckbox: kind === 'checkbox',
                        isPicklist: !!picklist,
                        options: picklist
                            ? [{ value: '', label: '--None--', selected: value === null || value === '' }].concat(
                                  picklist.map((p) => ({ value: p, label: p, selected: p === value }))
                              )
                            : [],
                        inputValue: toInput(value, type),
                        checked: value === true,
                        pending: !!(r.sync && r.sync.pendingFields && r.sync.pendingFields.includes(c.key)),
                        cellClass: `slds-cell-edit${isEditing ? ' slds-is-edited' : ''}`
                    };
                })
            };
        });
    }

    get busyState() {
        return this.loading ? 'true' : 'false';
    }

    get hasRows() {
        return this.items.length > 0;
    }

    get emptyText() {
        return this.q ? `No ${this.label} match "${this.q}".` : `No ${this.label} yet.`;
    }

    get pageLabel() {
        return `Page ${this.page + 1}`;
    }

    get prevDisabled() {
        return this.page === 0 || this.loading;
    }

    get nextDisabled() {
        return !this.nextCursor || this.loading;
    }

    get searchLabel() {
        return `Search ${this.label}`;
    }

    handleSearch(event) {
        const value = event.target.value;
        clearTimeout(this.searchTimer);
        this.searchTimer = setTimeout(() => {
            this.q = value.trim();
            this.cursors = [null];
            this.page = 0;
            this.loadPage();
        }, 250);
    }

    handleSort(event) {
        const name = event.currentTarget.dataset.name;
        const current = this.sort.replace(/^-/, '');
        this.sort = current === name && !this.sort.startsWith('-') ? `-${name}` : name;
        this.cursors = [null];
        this.page = 0;
        this.loadPage();
    }

    handleNext() {
        if (!this.nextCursor) return;
        this.cursors = [...this.cursors.slice(0, this.page + 1), this.nextCursor];
        this.page += 1;
        this.loadPage();
    }

    handlePrev() {
        if (this.page === 0) return;
        this.page -= 1;
        this.loadPage();
    }

    handleEditStart(event) {
        const { id, key } = event.currentTarget.dataset;
        this.editing = { id, key };
        this.focusEditor = true;
    }

    renderedCallback() {
        if (this.focusEditor) {
            const input = this.querySelector('[data-editor]');
            if (input) {
                input.focus();
                if (input.select) input.select();
                this.focusEditor = false;
            }
        }
    }

    handleEditorKey(event) {
        if (event.key === 'Enter') {
            event.preventDefault();
            this.commit(event.target);
        } else if (event.key === 'Escape') {
            event.preventDefault();
            this.cancelEdit();
        }
    }

    handleEditorBlur(event) {
        if (this.editing && !this.saving) this.commit(event.target);
    }

    cancelEdit() {
        const { id, key } = this.editing || {};
        this.editing = null;
        Promise.resolve().then(() => {
            const button = this.querySelector(`button[data-id="${id}"][data-key="${key}"]`);
            if (button) button.focus();
        });
    }

    async commit(input) {
        if (!this.editing || this.saving) return;
        const { id, key } = this.editing;
        const field = this.fields.find((f) => f.key === key);
        const record = this.items.find((r) => r.id === id);
        const value = parseInput(input.value, field.type, input.checked);
        const old = record.fields[key] === undefined ? null : record.fields[key];
        if (JSON.stringify(value) === JSON.stringify(old)) {
            this.cancelEdit();
            return;
        }
        this.saving = true;
        try {
            const answer = await client.editRecord(this._object, id, { [key]: value });
            const updated = answer.record;
            if (updated) this.items = this.items.map((r) => (r.id === id ? updated : r));
            const outcome = answer.fields && answer.fields[key];
            if (outcome && outcome.status === 'queued') {
                this.toast(
                    'success',
                    `${field.displayName} saved`,
                    'Queued for Salesforce: it goes out on the next sync.'
                );
            } else {
                this.toast(
                    'warning',
                    `${field.displayName} saved in Statisfy only`,
                    outcome && outcome.reason ? outcome.reason : 'This edit stays in Statisfy.'
                );
            }
            this.cancelEdit();
        } catch (e) {
            this.toast('error', `${field.displayName} was not saved`, e.message);
            this.cancelEdit();
        } finally {
            this.saving = false;
        }
    }

    toast(variant, title, message) {
        this.dispatchEvent(new CustomEvent('toast', { detail: { variant, title, message } }));
    }
}
