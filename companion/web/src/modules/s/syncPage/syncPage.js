import { LightningElement, api } from 'lwc';
import { client } from 's/api';
import { subscribe } from 's/live';
import { recordTitle } from 's/columns';
import { formatAgo, formatDateTime, formatValue, objectLabel } from 's/format';

/**
 * The retry schedule of an edit Salesforce could not take for a passing reason (lock, limit, 5xx, timeout): the
 * flusher's full-jitter exponential backoff (companion/src/sync/classify.ts: base 1 s, doubling, capped at 60 s,
 * 8 attempts), as the README's Troubleshooting promises the Sync page shows.
 */
export const RETRY_SCHEDULE = [1, 2, 3, 4, 5, 6, 7].map((attempt) => ({
    attempt,
    wait: Math.min(60, 2 ** (attempt - 1))
}));

/**
 * The Sync page: connection and API usage, per-object counters, "Sync now", the open conflicts (the Manual queue)
 * with both values side by side, a button for each side and the field's history, the failed edits by record name
 * with Salesforce's message and "Retry", "Keep the Salesforce value" and "Discard", the retry schedule, and recent
 * runs.
 */
export default class SyncPage extends LightningElement {
    static renderMode = 'light';
    @api objects = [];
    status = null;
    runs = [];
    runsAvailable = true;
    errors = [];
    conflicts = [];
    error = '';
    loading = true;
    syncing = false;
    busy = {};
    /** `object/id` → { title, href, salesforceValues } of the records named by errors and conflicts. */
    records = {};
    /** Object → its fields (display names, title fields). */
    fieldsOf = {};
    /** `object/id` → the record's field history (null when the companion offers none). */
    histories = {};

    connectedCallback() {
        this.load();
        this.offLive = subscribe(({ type }) => {
            if (type === 'sync' || type === 'record') {
                clearTimeout(this.timer);
                this.timer = setTimeout(() => this.load(), 300);
            }
        });
    }

    disconnectedCallback() {
        if (this.offLive) this.offLive();
        clearTimeout(this.timer);
    }

    async load() {
        try {
            const [status, errors, conflicts] = await Promise.all([
                client.syncStatus(),
                client.syncErrors(),
                client.conflicts()
            ]);
            await this.loadRecords([...errors, ...conflicts]);
            this.status = status;
            this.errors = errors;
            this.conflicts = conflicts;
            this.error = '';
        } catch (e) {
            this.error = e.message;
        } finally {
            this.loading = false;
        }
        if (this.runsAvailable) {
            try {
                this.runs = await client.syncRuns();
            } catch (e) {
                if (e.status === 404) this.runsAvailable = false;
            }
        }
    }

    handleRetryLoad() {
        this.loading = true;
        this.load();
    }

    /** Names (and Salesforce values) of the records the errors and conflicts are about, and their histories. */
    async loadRecords(list) {
        const wanted = new Map();
        list.forEach((x) => wanted.set(`${x.objectApiName}/${x.recordId}`, x));
        const objects = [...new Set(list.map((x) => x.objectApiName))].filter((o) => !this.fieldsOf[o]);
        const fieldsOf = { ...this.fieldsOf };
        await Promise.all(
            objects.map(async (o) => {
                fieldsOf[o] = await client.fields(o).catch(() => []);
            })
        );
        const records = {};
        const histories = { ...this.histories };
        const conflictKeys = new Set(this.conflictsIn(list).map((c) => `${c.objectApiName}/${c.recordId}`));
        await Promise.all(
            [...wanted.entries()].slice(0, 100).map(async ([key, x]) => {
                try {
                    const rec = await client.record(x.objectApiName, x.recordId);
                    records[key] = {
                        title: recordTitle(fieldsOf[x.objectApiName] || [], rec),
                        href: `#/records/${encodeURIComponent(x.objectApiName)}/${encodeURIComponent(x.recordId)}`,
                        salesforceValues: rec.salesforceValues || {}
                    };
                } catch (e) {
                    records[key] = { title: x.recordId, href: null, salesforceValues: {} };
                }
                if (conflictKeys.has(key)) {
                    histories[key] = await client.history(x.objectApiName, x.recordId).catch(() => null);
                }
            })
        );
        this.fieldsOf = fieldsOf;
        this.records = records;
        this.histories = histories;
    }

    conflictsIn(list) {
        return list.filter((x) => x.statisfyValue !== undefined);
    }

    fieldName(objectApiName, key) {
        const f = (this.fieldsOf[objectApiName] || []).find((x) => x.key === key);
        return f
            ? f.displayName
            : String(key || '')
                  .split('.')
                  .slice(1)
                  .join('.') || key;
    }

    fieldType(objectApiName, key) {
        const f = (this.fieldsOf[objectApiName] || []).find((x) => x.key === key);
        return f ? f.type : undefined;
    }

    recordOf(objectApiName, id) {
        return this.records[`${objectApiName}/${id}`] || { title: id, href: null, salesforceValues: {} };
    }

    labelOf(objectApiName) {
        const o = (this.objects || []).find((x) => x.objectApiName === objectApiName);
        return o ? objectLabel(o) : objectApiName;
    }

    get loaded() {
        return !!this.status;
    }

    get showLoading() {
        return this.loading && !this.status && !this.error;
    }

    /** A failed first load replaces the page; a failed refresh keeps what is shown and says so above it. */
    get showError() {
        return !!this.error && !this.status;
    }

    get staleError() {
        return this.error && this.status ? `Could not refresh: ${this.error}` : '';
    }

    get connectionState() {
        const s = this.status && this.status.connection ? this.status.connection.state : 'unknown';
        return s;
    }

    get connectionLabel() {
        const labels = {
            connected: 'Connected',
            new: 'Connecting',
            disconnected: 'Disconnected',
            error: 'Error',
            org_mismatch: 'Wrong org'
        };
        return labels[this.connectionState] || this.connectionState;
    }

    get connectionClass() {
        return this.connectionState === 'connected'
            ? 'slds-badge slds-theme_success'
            : this.connectionState === 'new'
              ? 'slds-badge slds-theme_warning'
              : 'slds-badge slds-theme_error';
    }

    get connection() {
        return (this.status && this.status.connection) || {};
    }

    get apiUsage() {
        const u = (this.status && this.status.apiUsage) || {};
        if (u.used !== null && u.used !== undefined && u.max)
            return `${u.used.toLocaleString()} of ${u.max.toLocaleString()} daily API requests`;
        return `${(u.callsLast24h || 0).toLocaleString()} API calls in the last 24 hours`;
    }

    get usagePercent() {
        const u = (this.status && this.status.apiUsage) || {};
        return u.max ? Math.min(100, Math.round((100 * (u.used || 0)) / u.max)) : 0;
    }

    get usageStyle() {
        return `width: ${this.usagePercent}%`;
    }

    get hasUsageBar() {
        const u = (this.status && this.status.apiUsage) || {};
        return !!u.max;
    }

    get lastInbound() {
        return formatAgo(this.status && this.status.lastInboundAt);
    }

    get lastOutbound() {
        return formatAgo(this.status && this.status.lastOutboundAt);
    }

    get lastFull() {
        return formatAgo(this.status && this.status.lastFullSyncAt);
    }

    get pendingCount() {
        return (this.status && this.status.pendingCount) || 0;
    }

    get failedCount() {
        return (this.status && this.status.failedCount) || 0;
    }

    get conflictCount() {
        return (this.status && this.status.conflictCount) || 0;
    }

    get objectRows() {
        return ((this.status && this.status.objects) || []).map((o) => ({
            ...o,
            label: this.labelOf(o.objectApiName),
            writeback: o.syncToSalesforce ? 'On' : 'Off',
            lastOut: formatAgo(o.lastOutboundAt),
            lastFull: formatAgo(o.lastFullSyncAt)
        }));
    }

    get runRows() {
        return this.runs.map((r) => ({
            ...r,
            objectLabel: r.objectApiName ? this.labelOf(r.objectApiName) : 'All objects',
            started: formatDateTime(r.startedAt),
            statusClass:
                r.status === 'succeeded'
                    ? 'slds-badge slds-theme_success'
                    : r.status === 'failed'
                      ? 'slds-badge slds-theme_error'
                      : 'slds-badge',
            counts: `${r.recordsIn || 0} in · ${r.recordsOut || 0} out · ${r.apiCalls || 0} API calls`
        }));
    }

    get hasRuns() {
        return this.runs.length > 0;
    }

    get errorRows() {
        return this.errors.map((e) => {
            const rec = this.recordOf(e.objectApiName, e.recordId);
            const field = this.fieldName(e.objectApiName, e.field);
            const type = this.fieldType(e.objectApiName, e.field);
            const sfValue = e.field in rec.salesforceValues ? rec.salesforceValues[e.field] : undefined;
            return {
                ...e,
                objectLabel: this.labelOf(e.objectApiName),
                recordTitle: rec.title,
                recordHref: rec.href,
                hasHref: !!rec.href,
                fieldName: field,
                valueText: formatValue(e.value, type) || '(blank)',
                salesforceText: sfValue === undefined ? 'unknown' : formatValue(sfValue, type) || '(blank)',
                attemptsText: `${e.attempts} attempt${e.attempts === 1 ? '' : 's'}`,
                headline: ` · ${this.labelOf(e.objectApiName)} · ${field}`,
                when: ` · ${formatAgo(e.occurredAt)} · ${e.attempts} attempt${e.attempts === 1 ? '' : 's'}`,
                saidLabel: `Salesforce said${e.errorCode ? ` (${e.errorCode})` : ''}: `,
                retryLabel: `Retry ${field} of ${rec.title}`,
                keepLabel: `Keep the Salesforce value of ${field} of ${rec.title}`,
                discardLabel: `Discard the edit of ${field} of ${rec.title}`,
                disabled: !!this.busy[e.editId]
            };
        });
    }

    get hasErrors() {
        return this.errors.length > 0;
    }

    get conflictRows() {
        return this.conflicts.map((c) => {
            const rec = this.recordOf(c.objectApiName, c.recordId);
            const field = this.fieldName(c.objectApiName, c.field);
            const type = this.fieldType(c.objectApiName, c.field);
            const history = this.histories[`${c.objectApiName}/${c.recordId}`];
            const entries = Array.isArray(history)
                ? history
                      .filter((h) => (h.field || h.fieldKey) === c.field)
                      .slice(0, 10)
                      .map((h, i) => ({
                          key: h.id || `${i}`,
                          text: `${formatDateTime(h.at || h.changedAt || h.occurredAt || h.createdAt)} · ${
                              h.source || h.origin || h.side || ''
                          } · ${formatValue(h.newValue !== undefined ? h.newValue : h.to !== undefined ? h.to : h.value, type) || '(blank)'}`
                      }))
                : null;
            return {
                ...c,
                objectLabel: this.labelOf(c.objectApiName),
                recordTitle: rec.title,
                recordHref: rec.href,
                hasHref: !!rec.href,
                fieldName: field,
                statisfyText: formatValue(c.statisfyValue, type) || '(blank)',
                salesforceText: formatValue(c.salesforceValue, type) || '(blank)',
                baseText: formatValue(c.baseValue, type) || '(blank)',
                when: ` · changed on both sides ${formatAgo(c.detectedAt)} · was “${formatValue(c.baseValue, type) || '(blank)'}”`,
                detected: formatAgo(c.detectedAt),
                headline: ` · ${this.labelOf(c.objectApiName)} · ${field}`,
                hasHistory: Array.isArray(entries),
                history: entries || [],
                hasHistoryEntries: !!entries && entries.length > 0,
                keepStatisfyLabel: `Keep Statisfy value for ${field} of ${rec.title}`,
                keepSalesforceLabel: `Keep Salesforce value for ${field} of ${rec.title}`,
                disabled: !!this.busy[c.id]
            };
        });
    }

    get retrySchedule() {
        return RETRY_SCHEDULE.map((r) => ({
            ...r,
            key: r.attempt,
            text: `after attempt ${r.attempt}`,
            waitText: `up to ${r.wait < 60 ? `${r.wait} s` : '1 min'}`
        }));
    }

    get hasConflicts() {
        return this.conflicts.length > 0;
    }

    async handleSyncNow() {
        this.syncing = true;
        try {
            await client.syncNow();
            this.toast('success', 'Sync started', 'Statisfy is syncing with Salesforce now.');
            await this.load();
        } catch (e) {
            this.toast('error', 'Sync could not start', e.message);
        } finally {
            this.syncing = false;
        }
    }

    async handleGiveUp(event) {
        const { id, action } = event.currentTarget.dataset;
        this.busy = { ...this.busy, [id]: true };
        try {
            if (action === 'keep') {
                await client.keepSalesforce(id);
                this.toast(
                    'success',
                    'Salesforce value kept',
                    'Statisfy shows the Salesforce value again; the edit is dropped.'
                );
            } else {
                await client.discardEdit(id);
                this.toast('success', 'Edit discarded', 'The edit will not be sent; the value stays in Statisfy only.');
            }
            await this.load();
        } catch (e) {
            this.toast(
                'error',
                action === 'keep' ? 'Could not keep the Salesforce value' : 'Could not discard the edit',
                e.message
            );
        } finally {
            this.busy = { ...this.busy, [id]: false };
        }
    }

    async handleRetry(event) {
        const id = event.currentTarget.dataset.id;
        this.busy = { ...this.busy, [id]: true };
        try {
            await client.retryError(id);
            this.toast('success', 'Retry queued', 'The edit goes to Salesforce again on the next sync.');
            await this.load();
        } catch (e) {
            this.toast('error', 'Retry failed', e.message);
        } finally {
            this.busy = { ...this.busy, [id]: false };
        }
    }

    async handleResolve(event) {
        const { id, side } = event.currentTarget.dataset;
        this.busy = { ...this.busy, [id]: true };
        try {
            await client.resolveConflict(id, side);
            this.toast(
                'success',
                'Conflict resolved',
                side === 'statisfy' ? 'The Statisfy value was kept.' : 'The Salesforce value was kept.'
            );
            await this.load();
        } catch (e) {
            this.toast('error', 'Could not resolve the conflict', e.message);
        } finally {
            this.busy = { ...this.busy, [id]: false };
        }
    }

    toast(variant, title, message) {
        this.dispatchEvent(new CustomEvent('toast', { detail: { variant, title, message } }));
    }
}
