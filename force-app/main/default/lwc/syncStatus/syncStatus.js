import { LightningElement } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import getSyncStatus from '@salesforce/apex/StatisfyConfigController.getSyncStatus';
import requestSync from '@salesforce/apex/StatisfyConfigController.requestSync';

const KIND_INCREMENTAL = 'INCREMENTAL';

const STATE_BADGES = {
    Connected: 'slds-badge slds-theme_success',
    Paused: 'slds-badge slds-theme_warning',
    Disconnected: 'slds-badge slds-theme_error',
    Error: 'slds-badge slds-theme_error'
};

/**
 * The sync status card: connection state, last inbound and outbound sync, pending, failed and conflict
 * counts, API usage, per-object counters, and "Sync now" (publishes a Sync_Request__e through Apex).
 */
export default class SyncStatus extends LightningElement {
    status;
    loadError;
    requestError;
    loading = true;
    requesting = false;

    connectedCallback() {
        this.load();
    }

    async load() {
        this.loading = true;
        try {
            this.status = await getSyncStatus();
            this.loadError = undefined;
        } catch (error) {
            this.loadError = error;
        } finally {
            this.loading = false;
        }
    }

    get loaded() {
        return !this.loading;
    }

    get hasStatus() {
        return Boolean(this.status);
    }

    get connectionState() {
        return (this.status && this.status.connectionState) || 'Not connected yet';
    }

    get stateClass() {
        return STATE_BADGES[this.status && this.status.connectionState] || 'slds-badge';
    }

    get neverSynced() {
        return !this.status || (!this.status.lastInboundAt && !this.status.lastOutboundAt);
    }

    get pendingCount() {
        return this.count('pendingCount');
    }

    get failedCount() {
        return this.count('failedCount');
    }

    get conflictCount() {
        return this.count('conflictCount');
    }

    count(name) {
        return (this.status && this.status[name]) || 0;
    }

    get apiUsage() {
        return (this.status && this.status.apiUsage) || 'Not reported';
    }

    /** Percentage of the daily API limit used, from "used/limit"; undefined when not reported. */
    get apiUsagePercent() {
        const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec((this.status && this.status.apiUsage) || '');
        if (!match || Number(match[2]) === 0) {
            return undefined;
        }
        return Math.min(100, Math.round((Number(match[1]) / Number(match[2])) * 100));
    }

    get hasApiUsagePercent() {
        return this.apiUsagePercent !== undefined;
    }

    /** "1234/100000 (1% of the daily limit)" when the usage can be read as used/limit. */
    get apiUsageText() {
        return this.hasApiUsagePercent
            ? `${this.apiUsage} (${this.apiUsagePercent}% of the daily limit)`
            : this.apiUsage;
    }

    get objectRows() {
        return ((this.status && this.status.objects) || []).map((object) => ({
            ...object,
            pending: object.pendingCount || 0,
            failed: object.failedCount || 0,
            conflicts: object.conflictCount || 0
        }));
    }

    get hasObjectRows() {
        return this.objectRows.length > 0;
    }

    get syncDisabled() {
        return this.requesting;
    }

    handleRefresh() {
        this.load();
    }

    async handleSyncNow() {
        this.requesting = true;
        this.requestError = undefined;
        try {
            await requestSync({ objectApiName: null, kind: KIND_INCREMENTAL });
            this.dispatchEvent(
                new ShowToastEvent({
                    title: 'Sync requested',
                    message: 'Statisfy syncs every object now. This card shows the result when the sync reports back.',
                    variant: 'success'
                })
            );
            await this.load();
        } catch (error) {
            this.requestError = error;
        } finally {
            this.requesting = false;
        }
    }
}
