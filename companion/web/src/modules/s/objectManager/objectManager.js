import { LightningElement } from 'lwc';
import { client } from 's/api';
import { formatAgo, objectLabel } from 's/format';

/**
 * Settings → Object Manager: the synced objects in two tabs, Standard Objects (Accounts, Opportunities, People)
 * and Custom Objects, each custom object with its "Sync to Salesforce" switch. Turning it on answers
 * "Writeback to Salesforce is enabled for <object>".
 */
export default class ObjectManager extends LightningElement {
    static renderMode = 'light';
    objects = [];
    loading = true;
    error = '';
    tab = 'standard';
    busy = {};

    connectedCallback() {
        this.load();
    }

    async load() {
        try {
            this.objects = await client.objects();
            this.error = '';
        } catch (e) {
            this.error = e.message;
        } finally {
            this.loading = false;
        }
    }

    rows(kind) {
        return this.objects
            .filter((o) => (kind === 'custom' ? o.kind === 'custom' : o.kind !== 'custom'))
            .map((o) => ({
                ...o,
                label: objectLabel(o),
                href: `#/settings/object-manager/${encodeURIComponent(o.objectApiName)}`,
                checkboxId: `sync-${o.objectApiName}`,
                syncLabel: o.syncToSalesforce ? 'On' : 'Off',
                syncClass: o.syncToSalesforce ? 'slds-badge slds-theme_success' : 'slds-badge',
                statusLabel: o.enabled === false ? 'Not synced' : 'Synced',
                updated: formatAgo(o.updatedAt),
                disabled: !!this.busy[o.objectApiName],
                switchLabel: `Sync to Salesforce for ${objectLabel(o)}`
            }));
    }

    get standardRows() {
        return this.rows('standard');
    }

    get customRows() {
        return this.rows('custom');
    }

    get hasCustom() {
        return this.customRows.length > 0;
    }

    get isStandardTab() {
        return this.tab === 'standard';
    }

    get isCustomTab() {
        return this.tab === 'custom';
    }

    get standardTabClass() {
        return `slds-tabs_default__item${this.isStandardTab ? ' slds-is-active' : ''}`;
    }

    get customTabClass() {
        return `slds-tabs_default__item${this.isCustomTab ? ' slds-is-active' : ''}`;
    }

    get standardSelected() {
        return this.isStandardTab ? 'true' : 'false';
    }

    get customSelected() {
        return this.isCustomTab ? 'true' : 'false';
    }

    get standardTabIndex() {
        return this.isStandardTab ? '0' : '-1';
    }

    get customTabIndex() {
        return this.isCustomTab ? '0' : '-1';
    }

    handleTab(event) {
        event.preventDefault();
        this.tab = event.currentTarget.dataset.tab;
    }

    /** Arrow keys move between tabs (WAI-ARIA tabs pattern). */
    handleTabKey(event) {
        if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
            event.preventDefault();
            this.tab = this.tab === 'standard' ? 'custom' : 'standard';
            Promise.resolve().then(() => {
                const next = this.querySelector(`[data-tab="${this.tab}"]`);
                if (next) next.focus();
            });
        }
    }

    async handleSyncToggle(event) {
        const objectApiName = event.target.dataset.object;
        const enabled = event.target.checked;
        this.busy = { ...this.busy, [objectApiName]: true };
        try {
            const answer = await client.updateObject(objectApiName, { syncToSalesforce: enabled });
            const updated = (answer && answer.object) || answer;
            this.objects = this.objects.map((o) => (o.objectApiName === objectApiName ? { ...o, ...updated } : o));
            const label = objectLabel(this.objects.find((o) => o.objectApiName === objectApiName));
            this.toast(
                'success',
                enabled ? 'Writeback enabled' : 'Writeback disabled',
                (answer && answer.message) ||
                    (enabled
                        ? `Writeback to Salesforce is enabled for ${label}`
                        : `Writeback to Salesforce is disabled for ${label}: edits stay in Statisfy`)
            );
            this.dispatchEvent(new CustomEvent('objectschanged'));
        } catch (e) {
            event.target.checked = !enabled;
            this.toast('error', 'Could not change Sync to Salesforce', e.message);
        } finally {
            this.busy = { ...this.busy, [objectApiName]: false };
        }
    }

    toast(variant, title, message) {
        this.dispatchEvent(new CustomEvent('toast', { detail: { variant, title, message } }));
    }
}
