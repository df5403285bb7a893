import { LightningElement, api } from 'lwc';
import { SYNC_STATES } from 's/format';

/** A record's sync state: Synced, Pending (fields), Failed (with the Salesforce message), Conflict. */
export default class SyncBadge extends LightningElement {
    static renderMode = 'light';
    @api sync;

    get state() {
        return (this.sync && this.sync.state) || 'synced';
    }

    get info() {
        return SYNC_STATES[this.state] || SYNC_STATES.synced;
    }

    get label() {
        return this.info.label;
    }

    get badgeClass() {
        return `${this.info.className} statisfy-sync-badge`;
    }

    get detail() {
        const s = this.sync || {};
        if (this.state === 'failed' && s.lastError) {
            const code = s.lastError.code ? `${s.lastError.code}: ` : '';
            return `${code}${s.lastError.message || 'Salesforce refused the edit'}`;
        }
        if (this.state === 'pending' && s.pendingFields && s.pendingFields.length) {
            return `Waiting to reach Salesforce: ${s.pendingFields.map((k) => k.split('.').pop()).join(', ')}`;
        }
        if (this.state === 'conflict') return 'Changed on both sides: resolve it on the Sync page';
        return '';
    }

    get hasDetail() {
        return !!this.detail;
    }

    get detailClass() {
        return this.state === 'failed'
            ? 'slds-text-color_error slds-text-body_small'
            : 'slds-text-color_weak slds-text-body_small';
    }
}
