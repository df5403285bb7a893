import { LightningElement, wire } from 'lwc';
import { refreshApex } from '@salesforce/apex';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import getSyncObjects from '@salesforce/apex/StatisfyConfigController.getSyncObjects';
import setSyncToSalesforce from '@salesforce/apex/StatisfyConfigController.setSyncToSalesforce';
import { subscribe, unsubscribe, onError, isEmpEnabled } from 'lightning/empApi';
import RECORD_CHANGE_EVENT from '@salesforce/schema/Record_Change__e';
import SYNC_OBJECT from '@salesforce/schema/Sync_Object__c';
import FIELD_MAPPING from '@salesforce/schema/Field_Mapping__c';

/** The change events the package publishes; configuration records are published too. */
const RECORD_CHANGE_CHANNEL = `/event/${RECORD_CHANGE_EVENT.objectApiName}`;
/** Only events published after subscribing. */
const REPLAY_NEW_EVENTS = -1;
/** A trigger chunk publishes one event per record: refresh once per burst. */
const REFRESH_DELAY_MS = 300;

/** `statisfy__Field_Mapping__c` → `Field_Mapping__c`, so names compare the same with or without the namespace. */
function withoutNamespace(apiName) {
    return String(apiName || '').replace(/^[A-Za-z0-9]+__(?=\w+__[a-z]+$)/, '');
}

const CONFIG_OBJECTS = new Set([SYNC_OBJECT.objectApiName, FIELD_MAPPING.objectApiName].map(withoutNamespace));

/** The guide's order for the standard objects: accounts, opportunities, people. */
const STANDARD_ORDER = ['Account', 'Opportunity', 'Contact', 'Lead'];

function byStandardOrder(a, b) {
    const rank = (object) => {
        const index = STANDARD_ORDER.indexOf(object.objectApiName);
        return index === -1 ? STANDARD_ORDER.length : index;
    };
    return rank(a) - rank(b) || (a.displayName || '').localeCompare(b.displayName || '');
}

/**
 * The Object Manager: the synced objects (standard ones, then "Custom Objects") with their
 * "Sync to Salesforce" switch. Turning the switch on answers
 * "Writeback to Salesforce is enabled for <object>". Selecting an object opens its fields.
 */
export default class ObjectManager extends LightningElement {
    objects;
    loadError;
    saveError;
    saveErrorMessage;
    pending = [];
    selectedObject;
    wiredResult;
    focusObjectAfterRender;
    liveUpdatesOff = false;
    subscription;
    refreshTimer;

    @wire(getSyncObjects)
    wiredObjects(result) {
        this.wiredResult = result;
        const { data, error } = result;
        if (data) {
            this.objects = data;
            this.loadError = undefined;
        } else if (error) {
            this.objects = undefined;
            this.loadError = error;
        }
    }

    connectedCallback() {
        this.subscribeToConfigChanges();
    }

    disconnectedCallback() {
        clearTimeout(this.refreshTimer);
        if (this.subscription) {
            unsubscribe(this.subscription);
            this.subscription = undefined;
        }
    }

    /**
     * Keeps the page current when the configuration changes elsewhere (in Statisfy, or another admin):
     * `Sync_Object__c` and `Field_Mapping__c` changes arrive as Record_Change__e events.
     */
    async subscribeToConfigChanges() {
        try {
            if (!(await isEmpEnabled())) {
                this.liveUpdatesOff = true;
                return;
            }
            onError(() => {
                this.liveUpdatesOff = true;
            });
            this.subscription = await subscribe(RECORD_CHANGE_CHANNEL, REPLAY_NEW_EVENTS, (message) =>
                this.handleRecordChange(message)
            );
        } catch (error) {
            this.liveUpdatesOff = true;
        }
    }

    handleRecordChange(message) {
        const payload = (message && message.data && message.data.payload) || {};
        const objectKey = Object.keys(payload).find((key) => withoutNamespace(key) === 'Object_Api_Name__c');
        if (!objectKey || !CONFIG_OBJECTS.has(withoutNamespace(payload[objectKey]))) {
            return;
        }
        clearTimeout(this.refreshTimer);
        this.refreshTimer = setTimeout(() => this.refreshConfig(), REFRESH_DELAY_MS);
    }

    refreshConfig() {
        refreshApex(this.wiredResult);
        const fields = this.template.querySelector('c-object-fields');
        if (fields) {
            fields.load();
        }
    }

    renderedCallback() {
        if (this.focusObjectAfterRender && !this.selectedObject) {
            const button = this.template.querySelector(`button[data-object="${this.focusObjectAfterRender}"]`);
            if (button) {
                this.focusObjectAfterRender = undefined;
                button.focus();
            }
        }
    }

    get loading() {
        return !this.objects && !this.loadError;
    }

    get rows() {
        return (this.objects || []).map((object) => {
            const name = object.displayName || object.objectApiName;
            const busy = this.pending.includes(object.objectApiName);
            return {
                ...object,
                name,
                busy,
                toggleLabel: `Sync ${name} to Salesforce`,
                fieldsText: object.fieldCount === 1 ? '1 field' : `${object.fieldCount || 0} fields`,
                statusText: object.enabled === false ? 'Not synced' : 'Synced',
                statusClass: object.enabled === false ? 'slds-badge' : 'slds-badge slds-theme_success'
            };
        });
    }

    get standardObjects() {
        return this.rows.filter((row) => row.kind !== 'custom').sort(byStandardOrder);
    }

    get customObjects() {
        return this.rows.filter((row) => row.kind === 'custom').sort((a, b) => a.name.localeCompare(b.name));
    }

    /** The two lists the page shows, standard objects first, each with its own heading and empty text. */
    get sections() {
        return [
            {
                key: 'standard',
                headingId: 'standard-heading',
                heading: 'Standard Objects',
                caption: 'Standard objects',
                sectionClass: 'standard-objects slds-m-bottom_medium',
                emptyClass: 'slds-text-color_weak empty-standard',
                emptyText:
                    "No standard objects are set up yet. The package's post-install setup adds Accounts, Opportunities and People.",
                rows: this.standardObjects
            },
            {
                key: 'custom',
                headingId: 'custom-heading',
                heading: 'Custom Objects',
                caption: 'Custom objects',
                sectionClass: 'custom-objects',
                emptyClass: 'slds-text-color_weak empty-custom',
                emptyText:
                    'No custom objects yet. Custom objects you bring in from Salesforce appear here, with Sync to Salesforce off until you turn it on.',
                rows: this.customObjects
            }
        ].map((section) => ({ ...section, hasRows: section.rows.length > 0 }));
    }

    async handleSyncToggle(event) {
        const input = event.target;
        const objectApiName = input.dataset.object;
        const enabled = input.checked;
        const object = this.objects.find((candidate) => candidate.objectApiName === objectApiName);
        const name = object.displayName || objectApiName;
        this.saveError = undefined;
        this.pending = [...this.pending, objectApiName];
        try {
            const updated = await setSyncToSalesforce({ objectApiName, enabled });
            this.objects = this.objects.map((candidate) =>
                candidate.objectApiName === objectApiName ? { ...candidate, ...updated } : candidate
            );
            const nowOn = updated.syncToSalesforce === true;
            this.dispatchEvent(
                new ShowToastEvent({
                    title: `Writeback to Salesforce is ${nowOn ? 'enabled' : 'disabled'} for ${name}`,
                    message: nowOn
                        ? 'Edits of Editable fields with a Salesforce field push to Salesforce on the next sync.'
                        : 'Edits made in Statisfy stay in Statisfy.',
                    variant: 'success'
                })
            );
            refreshApex(this.wiredResult);
        } catch (error) {
            // Put the switch back where the server still has it.
            input.checked = !enabled;
            this.saveErrorMessage = `Could not turn Sync to Salesforce ${enabled ? 'on' : 'off'} for ${name}`;
            this.saveError = error;
        } finally {
            this.pending = this.pending.filter((pendingName) => pendingName !== objectApiName);
        }
    }

    handleSelect(event) {
        const objectApiName = event.currentTarget.dataset.object;
        this.selectedObject = this.rows.find((row) => row.objectApiName === objectApiName);
    }

    handleBack() {
        this.focusObjectAfterRender = this.selectedObject.objectApiName;
        this.selectedObject = undefined;
        refreshApex(this.wiredResult);
    }
}
