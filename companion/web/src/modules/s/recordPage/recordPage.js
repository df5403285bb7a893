import { LightningElement, api } from 'lwc';
import { writebackReasons } from 'contracts/sync-rules';
import { client } from 's/api';
import { isNameField, recordTitle } from 's/columns';
import { formatAgo, formatDateTime, formatValue, objectLabel } from 's/format';
import { subscribe } from 's/live';

const same = (a, b) => JSON.stringify(a === undefined ? null : a) === JSON.stringify(b === undefined ? null : b);

/**
 * One record (route #/records/<Object>/<id>): every mapped field with its Statisfy value, the Salesforce value
 * where the two differ, whether its edits push to Salesforce (every rule that keeps it back), its sync state
 * (waiting, failed with Salesforce's message), inline edit with an editor fitted to the type (s/valueEditor),
 * lookups shown by the name of the record they point to, and the field history when the companion offers it
 * (`GET …/records/:id/history`; on 404 the section is left out).
 */
export default class RecordPage extends LightningElement {
    static renderMode = 'light';
    _object;
    _id;
    @api objectInfo;
    /** Synced objects (to link lookups to records Statisfy has). */
    @api objects = [];

    fields = [];
    describe = {};
    record = null;
    history = null;
    lookups = {};
    loading = true;
    error = '';
    notFound = false;
    editingKey = null;
    saving = false;

    /** The record's object; a new one (a lookup followed) loads that record. */
    @api
    get objectApiName() {
        return this._object;
    }
    set objectApiName(value) {
        const changed = value !== this._object;
        this._object = value;
        if (changed && this.isConnected) this.scheduleLoad();
    }

    /** The record's id; a new one loads that record. */
    @api
    get recordId() {
        return this._id;
    }
    set recordId(value) {
        const changed = value !== this._id;
        this._id = value;
        if (changed && this.isConnected) this.scheduleLoad();
    }

    scheduleLoad() {
        // Both properties may change together: load once, after both are set.
        if (this.loadQueued) return;
        this.loadQueued = true;
        Promise.resolve().then(() => {
            this.loadQueued = false;
            this.editingKey = null;
            this.lookups = {};
            this.history = null;
            this.load();
        });
    }

    connectedCallback() {
        this.load();
        this.offLive = subscribe(({ type, data }) => {
            if (this.editingKey) return;
            if ((type === 'record' && data && (data.ids || []).includes(this.recordId)) || type === 'sync') {
                clearTimeout(this.timer);
                this.timer = setTimeout(() => this.refresh(), 200);
            }
        });
    }

    disconnectedCallback() {
        if (this.offLive) this.offLive();
        clearTimeout(this.timer);
    }

    async load() {
        this.loading = true;
        this.error = '';
        this.notFound = false;
        try {
            const [fields, described, record] = await Promise.all([
                client.fields(this.objectApiName),
                client.salesforceFields(this.objectApiName).catch(() => []),
                client.record(this.objectApiName, this.recordId)
            ]);
            this.fields = fields;
            this.describe = Object.fromEntries(described.map((d) => [d.apiName, d]));
            this.record = record;
            this.loadLookups();
            this.loadHistory();
        } catch (e) {
            // 400: the id is not a Salesforce record id at all; 404: no such record.
            if (e.status === 404 || e.status === 400) this.notFound = true;
            else this.error = e.message;
        } finally {
            this.loading = false;
        }
    }

    async refresh() {
        try {
            this.record = await client.record(this.objectApiName, this.recordId);
            this.loadHistory();
        } catch (e) {
            // The page keeps what it shows; the next event or a reload tries again.
        }
    }

    async loadHistory() {
        try {
            this.history = await client.history(this.objectApiName, this.recordId);
        } catch (e) {
            this.history = null;
        }
    }

    /** Names of the records lookups point to, when Statisfy syncs their object. */
    async loadLookups() {
        const synced = new Set((this.objects || []).map((o) => o.objectApiName));
        const wanted = this.fields
            .map((f) => ({ f, d: this.describeOf(f), id: this.record.fields[f.key] }))
            .filter(({ d, id }) => d && d.referenceTo && typeof id === 'string' && id);
        const found = {};
        await Promise.all(
            wanted.map(async ({ f, d, id }) => {
                const target = d.referenceTo.find((o) => synced.has(o));
                if (!target) return;
                try {
                    const [targetFields, rec] = await Promise.all([client.fields(target), client.record(target, id)]);
                    found[f.key] = {
                        name: recordTitle(targetFields, rec),
                        href: `#/records/${encodeURIComponent(target)}/${encodeURIComponent(id)}`
                    };
                } catch (e) {
                    // Not in Statisfy: the id is shown.
                }
            })
        );
        this.lookups = found;
    }

    describeOf(field) {
        return (field && field.salesforceField && this.describe[field.salesforceField]) || null;
    }

    get objectName() {
        return this.objectInfo ? objectLabel(this.objectInfo) : this.objectApiName;
    }

    get listHref() {
        return `#/records/${encodeURIComponent(this.objectApiName)}`;
    }

    get title() {
        return this.record ? recordTitle(this.fields, this.record) : this.recordId;
    }

    get loaded() {
        return !this.loading && !this.error && !this.notFound && !!this.record;
    }

    get notFoundDetail() {
        return `${this.objectName} has no record ${this.recordId} in Statisfy (it may have been deleted in Salesforce).`;
    }

    get modified() {
        return this.record ? formatAgo(this.record.updatedAt) : '';
    }

    get rows() {
        const r = this.record;
        const sync = r.sync || {};
        const object = this.objectInfo || { syncToSalesforce: false };
        const list = [...this.fields].sort((a, b) => {
            const an = isNameField(a) ? 0 : 1;
            const bn = isNameField(b) ? 0 : 1;
            return an - bn || a.displayName.localeCompare(b.displayName);
        });
        return list.map((f) => {
            const value = r.fields[f.key];
            const hasSf = !!f.salesforceField && r.salesforceValues && f.key in r.salesforceValues;
            const sfValue = hasSf ? r.salesforceValues[f.key] : null;
            const differs = hasSf && !same(value, sfValue);
            const pending = (sync.pendingFields || []).includes(f.key);
            const failed = sync.lastError && sync.lastError.field === f.key ? sync.lastError : null;
            const reasons = writebackReasons({ object, mapping: f });
            const lookup = this.lookups[f.key];
            const editing = this.editingKey === f.key;
            return {
                key: f.key,
                field: f,
                describe: this.describeOf(f),
                label: f.displayName,
                meta: f.salesforceField ? f.salesforceField : 'Statisfy field',
                value: value === undefined ? null : value,
                text: formatValue(value, f.type) || '—',
                lookup,
                isLookup: !!lookup,
                differs: differs && !pending,
                sfText: formatValue(sfValue, f.type) || '(blank)',
                pending,
                failed: !!failed,
                failedText: failed ? `${failed.code ? `${failed.code}: ` : ''}${failed.message || ''}` : '',
                pushes: reasons.length === 0,
                reasonsText: reasons.join(' · '),
                editable: !!f.editable,
                editing,
                editLabel: `Edit ${f.displayName}`,
                inputLabel: f.displayName,
                itemClass: `slds-col slds-size_1-of-1 slds-medium-size_1-of-2 statisfy-field${editing ? ' statisfy-field_editing' : ''}`
            };
        });
    }

    /** "2 fields differ from Salesforce", when values differ with no edit on its way (e.g. a discarded edit). */
    get differsNote() {
        if (!this.record) return '';
        const n = this.rows.filter((r) => r.differs).length;
        return n ? `${n} field${n === 1 ? ' differs' : 's differ'} from Salesforce` : '';
    }

    get syncState() {
        return this.record ? this.record.sync : null;
    }

    get hasHistory() {
        return Array.isArray(this.history);
    }

    get historyRows() {
        const byKey = new Map(this.fields.map((f) => [f.key, f]));
        return (this.history || []).map((h, i) => {
            const key = h.field || h.fieldKey || '';
            const f = byKey.get(key);
            const from = h.oldValue !== undefined ? h.oldValue : h.from !== undefined ? h.from : h.before;
            const to = h.newValue !== undefined ? h.newValue : h.to !== undefined ? h.to : h.value;
            return {
                key: h.id || `${i}`,
                when: formatDateTime(h.at || h.changedAt || h.occurredAt || h.createdAt),
                field: f ? f.displayName : key.split('.').slice(1).join('.') || key,
                from: formatValue(from, f && f.type) || '(blank)',
                to: formatValue(to, f && f.type) || '(blank)',
                source: h.source || h.origin || h.side || h.kind || '',
                by: h.by || h.actor || h.changedBy || ''
            };
        });
    }

    get hasHistoryRows() {
        return this.historyRows.length > 0;
    }

    handleRetry() {
        this.load();
    }

    handleEdit(event) {
        this.editingKey = event.currentTarget.dataset.key;
        this.focusEditor = true;
    }

    renderedCallback() {
        if (this.focusEditor) {
            const editor = this.querySelector('s-value-editor');
            if (editor) {
                editor.focus();
                this.focusEditor = false;
            }
        }
    }

    handleSave() {
        const editor = this.querySelector('s-value-editor');
        if (editor) editor.submit();
    }

    handleCancel() {
        const key = this.editingKey;
        this.editingKey = null;
        Promise.resolve().then(() => {
            const button = this.querySelector(`button[data-edit="${key}"]`);
            if (button) button.focus();
        });
    }

    async handleCommit(event) {
        const key = this.editingKey;
        if (!key || this.saving) return;
        const field = this.fields.find((f) => f.key === key);
        const value = event.detail.value;
        if (same(value, this.record.fields[key])) {
            this.handleCancel();
            return;
        }
        this.saving = true;
        try {
            const answer = await client.editRecord(this.objectApiName, this.recordId, { [key]: value });
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
                    (outcome && outcome.reason) || 'This edit stays in Statisfy.'
                );
            }
            this.handleCancel();
            await this.refresh();
        } catch (e) {
            this.toast('error', `${field.displayName} was not saved`, e.message);
        } finally {
            this.saving = false;
        }
    }

    toast(variant, title, message) {
        this.dispatchEvent(new CustomEvent('toast', { detail: { variant, title, message } }));
    }
}
