import { LightningElement } from 'lwc';
import getSyncErrors from '@salesforce/apex/StatisfyConfigController.getSyncErrors';

/** How many errors one page shows, newest first. */
const LIMIT_SIZE = 200;

const DATE_FORMAT = { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' };

const COLUMNS = [
    { label: 'Occurred', fieldName: 'occurredAt', type: 'date', typeAttributes: DATE_FORMAT, initialWidth: 170 },
    { label: 'Object', fieldName: 'objectApiName' },
    { label: 'Record', fieldName: 'recordUrl', type: 'url', typeAttributes: { label: { fieldName: 'recordId' } } },
    { label: 'Field', fieldName: 'field' },
    { label: 'Error code', fieldName: 'errorCode' },
    { label: 'Message', fieldName: 'message', wrapText: true },
    { label: 'Resolved', fieldName: 'resolved', type: 'boolean', initialWidth: 100 }
];

/**
 * The sync errors written by the companion (Sync_Error__c): each edit that could not be written to
 * Salesforce, with object, record, field, error code, message and time.
 */
export default class SyncErrors extends LightningElement {
    columns = COLUMNS;
    errors = [];
    loadError;
    loading = true;
    includeResolved = false;

    connectedCallback() {
        this.load();
    }

    async load() {
        this.loading = true;
        try {
            const rows = await getSyncErrors({ includeResolved: this.includeResolved, limitSize: LIMIT_SIZE });
            this.errors = (rows || []).map((row) => ({
                ...row,
                recordUrl: row.recordId ? `/lightning/r/${row.objectApiName}/${row.recordId}/view` : undefined
            }));
            this.loadError = undefined;
        } catch (error) {
            this.errors = [];
            this.loadError = error;
        } finally {
            this.loading = false;
        }
    }

    get hasErrors() {
        return this.errors.length > 0;
    }

    get isEmpty() {
        return !this.loading && !this.loadError && this.errors.length === 0;
    }

    get emptyText() {
        return this.includeResolved
            ? 'No sync errors recorded.'
            : 'No open sync errors. Every edit made in Statisfy reached Salesforce.';
    }

    get title() {
        return this.hasErrors ? `Sync errors (${this.errors.length})` : 'Sync errors';
    }

    get limitReached() {
        return this.errors.length >= LIMIT_SIZE;
    }

    get limitText() {
        return `Showing the newest ${LIMIT_SIZE} errors.`;
    }

    handleIncludeResolved(event) {
        this.includeResolved = event.target.checked;
        this.load();
    }

    handleRefresh() {
        this.load();
    }
}
