import { LightningElement } from 'lwc';
import { client, getToken, onTokenChange, setToken } from 's/api';
import { connect, disconnect, onState } from 's/live';
import { objectLabel } from 's/format';

const STANDARD_ORDER = ['Account', 'Opportunity', 'Contact'];

/**
 * The Statisfy web app shell: sign-in, the app's navigation (tabs at 48em and wider, a menu below), hash routes,
 * toasts and the live event stream.
 *
 * Routes: #/records/<Object>, #/records/<Object>/<id> (record page), #/sync, #/settings/object-manager,
 * #/settings/object-manager/<Object>; anything else, or an object this org does not sync, is a not-found page.
 */
export default class App extends LightningElement {
    static renderMode = 'light';
    token = getToken();
    route = { page: 'records', object: 'Account' };
    objects = [];
    objectsLoaded = false;
    liveState = 'closed';
    navError = '';
    menuOpen = false;

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
            this.objectsLoaded = true;
            this.navError = '';
        } catch (e) {
            this.navError = e.message;
        }
        this.updateTitle();
    }

    handleNavRetry() {
        this.loadObjects();
    }

    readRoute() {
        let parts;
        try {
            parts = window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
        } catch (e) {
            parts = ['?'];
        }
        const [first, second, third] = parts;
        if (parts.length === 0) this.route = { page: 'records', object: 'Account' };
        else if (first === 'sync' && parts.length === 1) this.route = { page: 'sync' };
        else if (first === 'settings' && parts.length === 1) this.route = { page: 'settings', object: null };
        else if (first === 'settings' && second === 'object-manager' && parts.length <= 3)
            this.route = { page: 'settings', object: third || null };
        else if (first === 'records' && second && parts.length <= 3)
            this.route = { page: third ? 'record' : 'records', object: second, recordId: third || null };
        else this.route = { page: 'missing', path: window.location.hash };
        this.menuOpen = false;
        this.updateTitle();
        // Move focus to the main region for keyboard and screen reader users after a route change.
        const main = this.querySelector('main');
        if (main && this.hashMoved) main.focus();
        this.hashMoved = true;
    }

    updateTitle() {
        const title = this.pageTitle;
        document.title = title ? `${title} | Statisfy` : 'Statisfy';
    }

    get pageTitle() {
        if (!this.token) return 'Sign in';
        if (this.route.page === 'sync') return 'Sync';
        if (this.route.page === 'missing' || this.objectMissing) return 'Not found';
        if (this.route.page === 'settings')
            return this.route.object ? `Object Manager: ${this.route.object}` : 'Object Manager';
        const o = this.objects.find((x) => x.objectApiName === this.route.object);
        const label = o ? objectLabel(o) : this.route.object;
        return this.route.page === 'record' ? `${label}: ${this.route.recordId}` : label;
    }

    /** True once the objects are known and the route names one this org does not sync. */
    get objectMissing() {
        if (!this.objectsLoaded || !this.route.object) return false;
        return !this.objects.some((o) => o.objectApiName === this.route.object);
    }

    get isMissing() {
        return this.route.page === 'missing' || this.objectMissing;
    }

    get missingWhat() {
        return this.route.page === 'missing' ? 'Page' : `Object ${this.route.object}`;
    }

    get missingDetail() {
        return this.route.page === 'missing'
            ? `Statisfy has no page at ${this.route.path}.`
            : `${this.route.object} is not synced in this org. Synced objects are listed in Settings → Object Manager.`;
    }

    get waitingForObjects() {
        return !this.objectsLoaded && !!this.route.object && !this.navError;
    }

    get menuExpanded() {
        return this.menuOpen ? 'true' : 'false';
    }

    handleMenu() {
        this.menuOpen = !this.menuOpen;
    }

    get signedIn() {
        return !!this.token;
    }

    get mainClass() {
        return this.signedIn ? 'statisfy-main slds-p-around_medium' : 'statisfy-signin-page';
    }

    get ready() {
        return !this.isMissing && !this.waitingForObjects;
    }

    get isRecords() {
        return this.ready && this.route.page === 'records';
    }

    get isRecord() {
        return this.ready && this.route.page === 'record';
    }

    get inRecords() {
        return this.route.page === 'records' || this.route.page === 'record';
    }

    get isSync() {
        return this.route.page === 'sync';
    }

    get isSettings() {
        return this.ready && this.route.page === 'settings';
    }

    get currentRecordId() {
        return this.route.recordId;
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
            active: this.inRecords && this.route.object === o.objectApiName
        }));
        list.push({ key: 'sync', label: 'Sync', href: '#/sync', active: this.isSync });
        list.push({
            key: 'settings',
            label: 'Settings',
            href: '#/settings/object-manager',
            active: this.route.page === 'settings'
        });
        return list.map((t) => ({
            ...t,
            itemClass: `slds-context-bar__item${t.active ? ' slds-is-active' : ''}`,
            menuClass: `slds-nav-vertical__item${t.active ? ' slds-is-active' : ''}`,
            menuKey: `menu-${t.key}`,
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
