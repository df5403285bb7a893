import { LightningElement } from 'lwc';
import { client, getToken, onTokenChange, setToken } from 's/api';
import { connect, disconnect, onState } from 's/live';
import { objectLabel } from 's/format';

const STANDARD_ORDER = ['Account', 'Opportunity', 'Contact'];

/**
 * The Statisfy web app shell: sign-in, the app's navigation (record pages, Sync, Settings → Object Manager),
 * hash routes, toasts and the live event stream.
 *
 * Routes: #/records/<Object>, #/sync, #/settings/object-manager, #/settings/object-manager/<Object>.
 */
export default class App extends LightningElement {
    static renderMode = 'light';
    token = getToken();
    route = { page: 'records', object: 'Account' };
    objects = [];
    liveState = 'closed';
    navError = '';

    connectedCallback() {
        this.offToken = onTokenChange((token) => {
            this.token = token;
            if (token) this.afterSignIn();
            else disconnect();
        });
        this.offLive = onState((s) => {
            this.liveState = s;
        });
        this.onHash = () => this.readRoute();
        window.addEventListener('hashchange', this.onHash);
        this.readRoute();
        if (this.token) this.afterSignIn();
    }

    disconnectedCallback() {
        window.removeEventListener('hashchange', this.onHash);
        this.offToken();
        this.offLive();
        disconnect();
    }

    async afterSignIn() {
        connect();
        await this.loadObjects();
    }

    async loadObjects() {
        try {
            this.objects = await client.objects();
            this.navError = '';
        } catch (e) {
            this.navError = e.message;
        }
    }

    readRoute() {
        const parts = window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
        if (parts[0] === 'sync') this.route = { page: 'sync' };
        else if (parts[0] === 'settings') this.route = { page: 'settings', object: parts[2] || null };
        else this.route = { page: 'records', object: parts[1] || 'Account' };
        const title = this.pageTitle;
        document.title = title ? `${title} | Statisfy` : 'Statisfy';
        // Move focus to the main region for keyboard and screen reader users after a route change.
        const main = this.querySelector('main');
        if (main && this.hashMoved) main.focus();
        this.hashMoved = true;
    }

    get pageTitle() {
        if (!this.token) return 'Sign in';
        if (this.route.page === 'sync') return 'Sync';
        if (this.route.page === 'settings')
            return this.route.object ? `Object Manager: ${this.route.object}` : 'Object Manager';
        const o = this.objects.find((x) => x.objectApiName === this.route.object);
        return o ? objectLabel(o) : this.route.object;
    }

    get signedIn() {
        return !!this.token;
    }

    get mainClass() {
        return this.signedIn ? 'statisfy-main slds-p-around_medium' : 'statisfy-signin-page';
    }

    get isRecords() {
        return this.route.page === 'records';
    }

    get isSync() {
        return this.route.page === 'sync';
    }

    get isSettings() {
        return this.route.page === 'settings';
    }

    get isObjectList() {
        return this.isSettings && !this.route.object;
    }

    get isObjectFields() {
        return this.isSettings && !!this.route.object;
    }

    get currentObject() {
        return this.route.object;
    }

    get currentObjectInfo() {
        return this.objects.find((x) => x.objectApiName === this.route.object) || null;
    }

    /** Tabs of the app's navigation bar: Accounts, Opportunities, People, each custom object, Sync, Settings. */
    get tabs() {
        const enabled = this.objects.filter((o) => o.enabled !== false);
        const sorted = [
            ...STANDARD_ORDER.map((n) => enabled.find((o) => o.objectApiName === n)).filter(Boolean),
            ...enabled.filter((o) => !STANDARD_ORDER.includes(o.objectApiName)).filter((o) => o.kind === 'custom')
        ];
        const list = sorted.map((o) => ({
            key: `records-${o.objectApiName}`,
            label: objectLabel(o),
            href: `#/records/${encodeURIComponent(o.objectApiName)}`,
            active: this.isRecords && this.route.object === o.objectApiName
        }));
        list.push({ key: 'sync', label: 'Sync', href: '#/sync', active: this.isSync });
        list.push({ key: 'settings', label: 'Settings', href: '#/settings/object-manager', active: this.isSettings });
        return list.map((t) => ({
            ...t,
            itemClass: `slds-context-bar__item${t.active ? ' slds-is-active' : ''}`,
            ariaCurrent: t.active ? 'page' : null
        }));
    }

    get liveLabel() {
        return { open: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', closed: 'Offline' }[
            this.liveState
        ];
    }

    get liveClass() {
        return `statisfy-live statisfy-live_${this.liveState}`;
    }

    handleSignOut() {
        setToken(null);
        window.location.hash = '#/records/Account';
    }

    handleObjectsChanged() {
        this.loadObjects();
    }

    handleToast(event) {
        const toasts = this.querySelector('s-toasts');
        if (toasts) toasts.show(event.detail);
    }
}
