import { LightningElement } from 'lwc';
import { client } from 's/api';
import { CONFLICT_POLICY_INFO } from 'contracts/sync-rules';
import { formatAgo, objectLabel } from 's/format';

/**
 * Settings → Object Manager: the synced objects in two tabs, Standard Objects (Accounts, Opportunities, People)
 * and Custom Objects, each with its "Sync to Salesforce" switch (s/syncSwitch, the same as on the object's page)
 * and conflict policy. Turning the switch on answers "Writeback to Salesforce is enabled for <object>".
 * Loading shows placeholders, a failed load an error with "Try again"; below 48em the tables stack.
 */
export default class ObjectManager extends LightningElement {
    static renderMode = 'light';
    objects = [];
    loading = true;
    error = '';
    tab = 'standard';

    connectedCallback() {
        this.load();
    }

    async load() {
        this.loading = true;
        this.error = '';
        try {
            this.objects = await client.objects();
        } catch (e) {
            this.error = e.message;
        } finally {
            this.loading = false;
        }
    }

    get loaded() {
        return !this.loading && !this.error;
    }

    handleRetry() {
        this.load();
    }

    handleObjectChanged(event) {
        const updated = event.detail.object;
        this.objects = this.objects.map((o) => (o.objectApiName === updated.objectApiName ? updated : o));
        this.dispatchEvent(new CustomEvent('objectschanged'));
    }

    handleToast(event) {
        this.dispatchEvent(new CustomEvent('toast', { detail: event.detail }));
    }

    rows(kind) {
        return this.objects
            .filter((o) => (kind === 'custom' ? o.kind === 'custom' : o.kind !== 'custom'))
            .map((o) => ({
                ...o,
                label: objectLabel(o),
                href: `#/settings/object-manager/${encodeURIComponent(o.objectApiName)}`,
                statusLabel: o.enabled === false ? 'Not synced' : 'Synced',
                policyLabel: (CONFLICT_POLICY_INFO[o.conflictPolicy] || { label: o.conflictPolicy }).label,
                updated: formatAgo(o.updatedAt)
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

    get tabRows() {
        return this.isStandardTab ? this.standardRows : this.customRows;
    }

    get hasTabRows() {
        return this.tabRows.length > 0;
    }

    get tabCaption() {
        return this.isStandardTab ? 'Standard objects' : 'Custom objects';
    }

    get panelId() {
        return this.isStandardTab ? 'panel-standard' : 'panel-custom';
    }

    get panelLabelledBy() {
        return this.isStandardTab ? 'tab-standard' : 'tab-custom';
    }

    get emptyText() {
        return this.isStandardTab
            ? "No standard objects are set up yet. The package's post-install setup adds Accounts, Opportunities and People."
            : 'No custom objects are synced yet.';
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

    toast(variant, title, message) {
        this.dispatchEvent(new CustomEvent('toast', { detail: { variant, title, message } }));
    }
}
