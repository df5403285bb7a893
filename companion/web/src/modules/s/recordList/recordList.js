import { LightningElement, api } from 'lwc';
import { client } from 's/api';
import { choosableFields, isNameField, recordTitle, shownColumns } from 's/columns';
import { subscribe } from 's/live';
import { formatValue, objectLabel } from 's/format';
import { loadColumns, saveColumns } from 's/prefs';
import { trapFocus } from 's/dialog';

const PAGE_SIZE = 25;

/**
 * The records of one object (Accounts, Opportunities, People or a custom object): search, sort by any column,
 * paging, a column chooser (remembered per user, s/prefs) over every mapped field, inline edit of Editable fields
 * with an editor that fits the type and checks the value before it is sent (s/valueEditor), each record's sync
 * state, and a link from the name to the record page. Rows refresh live when the companion reports that
 * Salesforce (or a sync) changed them. Below 48em the table becomes stacked cards.
 */
export default class RecordList extends LightningElement {
    static renderMode = 'light';
    _object;
    @api objectInfo;

    fields = [];
    describe = {};
    columnKeys = [];
    items = [];
    q = '';
    sort = '';
    cursors = [null];
    page = 0;
    nextCursor = null;
    loading = true;
    fieldsLoaded = false;
    error = '';
    editing = null;
    saving = false;
    flashed = {};
    choosing = false;
    draftColumns = [];

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
        this.describe = {};
        this.columnKeys = [];
        this.items = [];
        this.q = '';
        this.sort = '';
        this.cursors = [null];
        this.page = 0;
        this.nextCursor = null;
        this.editing = null;
        this.error = '';
        this.loading = true;
        this.fieldsLoaded = false;
        this.choosing = false;
    }

    async loadAll() {
        const object = this._object;
        this.loading = true;
        this.error = '';
        try {
            const [fields, described] = await Promise.all([
                client.fields(object),
                client.salesforceFields(object).catch(() => [])
            ]);
            if (object !== this._object) return;
            this.fields = fields.filter((f) => f.active !== false);
            this.describe = Object.fromEntries(described.map((d) => [d.apiName, d]));
            this.columnKeys = shownColumns(this.fields, loadColumns(object));
            this.fieldsLoaded = true;
            await this.loadPage();
        } catch (e) {
            if (object !== this._object) return;
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

    handleRetry() {
        if (this.fieldsLoaded) this.loadPage();
        else this.loadAll();
    }

    /** Live events: refresh the page (debounced) when a shown record or its sync state changed. */
    handleLive({ type, data }) {
        if (this.editing || !this.fieldsLoaded) return;
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

    get fieldByKey() {
        return new Map(this.fields.map((f) => [f.key, f]));
    }

    describeOf(field) {
        return (field && field.salesforceField && this.describe[field.salesforceField]) || null;
    }

    get columns() {
        const byKey = this.fieldByKey;
        return this.columnKeys
            .map((k) => byKey.get(k))
            .filter(Boolean)
            .map((f) => {
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
                    thClass: `slds-is-sortable${active ? ' slds-is-sorted' : ''} statisfy-th`
                };
            });
    }

    get rows() {
        const columns = this.columns;
        const byKey = this.fieldByKey;
        return this.items.map((r) => {
            const title = recordTitle(this.fields, r);
            const href = `#/records/${encodeURIComponent(this._object)}/${encodeURIComponent(r.id)}`;
            return {
                id: r.id,
                sync: r.sync,
                title,
                href,
                openLabel: `Open ${title}`,
                rowClass: `slds-hint-parent${this.flashed[r.id] ? ' statisfy-flash' : ''}`,
                cells: columns.map((c, i) => {
                    const f = byKey.get(c.key);
                    const isEditing = !!this.editing && this.editing.id === r.id && this.editing.key === c.key;
                    const value = r.fields[c.key];
                    return {
                        key: `${r.id}-${c.key}`,
                        fieldKey: c.key,
                        dataLabel: f.displayName,
                        first: i === 0,
                        link: i === 0,
                        text: formatValue(value, f.type),
                        value: value === undefined ? null : value,
                        field: f,
                        describe: this.describeOf(f),
                        editable: !!f.editable,
                        editing: isEditing,
                        editLabel: `Edit ${f.displayName} of ${title}`,
                        inputLabel: `${f.displayName} of ${title}`,
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

    get showTable() {
        return this.fieldsLoaded && !this.error;
    }

    get showLoading() {
        return this.loading && !this.error;
    }

    get showEmpty() {
        return !this.loading && !this.error && this.items.length === 0;
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

    get columnSummary() {
        const total = choosableFields(this.fields).length;
        return `${this.columnKeys.length} of ${total} fields shown`;
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

    /* ---------------------------------------------------------------- column chooser */

    get chooserOptions() {
        const draft = new Set(this.draftColumns);
        return choosableFields(this.fields).map((f) => {
            const name = isNameField(f);
            return {
                key: f.key,
                id: `col-${f.key.replace(/[^A-Za-z0-9_-]/g, '-')}`,
                label: f.displayName,
                meta: f.salesforceField ? f.salesforceField : 'Statisfy field',
                checked: name || draft.has(f.key),
                disabled: name,
                note: name ? 'always shown' : ''
            };
        });
    }

    handleChooseColumns(event) {
        this.returnFocusTo = event.currentTarget;
        this.draftColumns = [...this.columnKeys];
        this.choosing = true;
        this.focusDialog = true;
    }

    handleColumnToggle(event) {
        const key = event.target.dataset.key;
        const next = this.draftColumns.filter((k) => k !== key);
        if (event.target.checked) next.push(key);
        // Keep the order of the field list for newly added columns after the current ones.
        this.draftColumns = next;
    }

    handleColumnsApply() {
        const names = this.fields.filter(isNameField).map((f) => f.key);
        const chosen = this.draftColumns.filter((k) => !names.includes(k));
        saveColumns(this._object, chosen);
        this.columnKeys = shownColumns(this.fields, chosen);
        this.closeChooser();
    }

    handleColumnsReset() {
        saveColumns(this._object, null);
        this.columnKeys = shownColumns(this.fields, null);
        this.closeChooser();
    }

    closeChooser() {
        this.choosing = false;
        const target = this.returnFocusTo;
        if (target) Promise.resolve().then(() => target.focus());
    }

    handleChooserKey(event) {
        if (event.key === 'Escape') {
            event.preventDefault();
            this.closeChooser();
        } else trapFocus(event, this.querySelector('[data-id="column-chooser"]'));
    }

    /* ---------------------------------------------------------------- inline edit */

    handleEditStart(event) {
        const { id, key } = event.currentTarget.dataset;
        this.editing = { id, key };
        this.focusEditor = true;
    }

    renderedCallback() {
        if (this.focusEditor) {
            const editor = this.querySelector('s-value-editor[data-inline]');
            if (editor) {
                editor.focus();
                this.focusEditor = false;
            }
        }
        if (this.focusDialog) {
            const first = this.querySelector('[data-id="column-chooser"] input:not([disabled])');
            if (first) {
                first.focus();
                this.focusDialog = false;
            }
        }
    }

    handleEditorFocusOut(event) {
        const popover = event.currentTarget;
        if (event.relatedTarget && popover.contains(event.relatedTarget)) return;
        if (!this.editing || this.saving) return;
        const editor = popover.querySelector('s-value-editor');
        if (editor) editor.submit();
    }

    handleEditorCancel() {
        this.cancelEdit();
    }

    cancelEdit() {
        const { id, key } = this.editing || {};
        this.editing = null;
        Promise.resolve().then(() => {
            const button = this.querySelector(`button[data-id="${id}"][data-key="${key}"]`);
            if (button) button.focus();
        });
    }

    async handleEditorCommit(event) {
        if (!this.editing || this.saving) return;
        const { id, key } = this.editing;
        const value = event.detail.value;
        const field = this.fields.find((f) => f.key === key);
        const record = this.items.find((r) => r.id === id);
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
