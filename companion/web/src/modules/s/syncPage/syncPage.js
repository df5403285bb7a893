import { LightningElement, api } from 'lwc';
import { client } from 's/api';
import { subscribe } from 's/live';
import { formatAgo, formatDateTime, formatValue, objectLabel } from 's/format';

/**
 * The Sync page: connection and API usage, per-object counters, "Sync now", recent runs, failed edits with
 * Retry, and open conflicts with both values side by side and a button for each side.
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
    syncing = false;
    busy = {};

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
            this.status = status;
            this.errors = errors;
            this.conflicts = conflicts;
            this.error = '';
        } catch (e) {
            this.error = e.message;
        }
        if (this.runsAvailable) {
            try {
                this.runs = await client.syncRuns();
            } catch (e) {
                if (e.status === 404) this.runsAvailable = false;
            }
        }
    }

    labelOf(objectApiName) {
        const o = (this.objects || []).find((x) => x.objectApiName === objectApiName);
        return o ? objectLabel(o) : objectApiName;
    }

    get loaded() {
        return !!this.status;
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
        return this.errors.map((e) => ({
            ...e,
            objectLabel: this.labelOf(e.objectApiName),
            fieldName:
                String(e.field || '')
                    .split('.')
                    .slice(1)
                    .join('.') || e.field,
            valueText: formatValue(e.value),
            when: formatAgo(e.occurredAt),
            retryLabel: `Retry ${e.field} of ${e.recordId}`,
            disabled: !!this.busy[e.editId]
        }));
    }

    get hasErrors() {
        return this.errors.length > 0;
    }

    get conflictRows() {
        return this.conflicts.map((c) => ({
            ...c,
            objectLabel: this.labelOf(c.objectApiName),
            fieldName:
                String(c.field || '')
                    .split('.')
                    .slice(1)
                    .join('.') || c.field,
            statisfyText: formatValue(c.statisfyValue) || '(blank)',
            salesforceText: formatValue(c.salesforceValue) || '(blank)',
            baseText: formatValue(c.baseValue) || '(blank)',
            detected: formatAgo(c.detectedAt),
            keepStatisfyLabel: `Keep Statisfy value for ${c.field} of ${c.recordId}`,
            keepSalesforceLabel: `Keep Salesforce value for ${c.field} of ${c.recordId}`,
            disabled: !!this.busy[c.id]
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
