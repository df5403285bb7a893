import { LightningElement, api } from 'lwc';
import { ShowToastEvent } from 'lightning/platformShowToastEvent';
import getObjectFields from '@salesforce/apex/StatisfyConfigController.getObjectFields';

const ORIGIN_STATISFY = 'Statisfy';
const NEW_FIELD_KEY = '__new__';

/**
 * One object's fields in the Object Manager: the Statisfy fields and the Salesforce fields (the guide's
 * Step 7), each with its display name, Salesforce field, origin, Editable, and whether it pushes to
 * Salesforce or, if not, why. "Edit" on a row and "New field" open `c-field-editor`.
 *
 * Fires `back` when the user returns to the object list.
 */
export default class ObjectFields extends LightningElement {
    /** API name of the object, e.g. `Opportunity`. */
    @api objectApiName;
    /** Display name of the object, e.g. `Opportunities`. */
    @api objectLabel;
    /** Whether the object has Sync to Salesforce on (explains why no field pushes). */
    @api syncToSalesforce = false;

    rows = [];
    loadError;
    loading = true;
    searchTerm = '';
    showUnmapped = false;
    editingField;
    focusKeyAfterRender;
    focusHeadingOnRender = true;

    connectedCallback() {
        this.load();
    }

    renderedCallback() {
        if (this.focusHeadingOnRender) {
            const heading = this.template.querySelector('h2');
            if (heading) {
                this.focusHeadingOnRender = false;
                heading.focus();
            }
        }
        if (this.focusKeyAfterRender && !this.editingField) {
            const target = this.template.querySelector(`[data-focus-key="${this.focusKeyAfterRender}"]`);
            if (target) {
                this.focusKeyAfterRender = undefined;
                target.focus();
            }
        }
    }

    /** Reloads the fields from Salesforce; the spinner shows only while there is nothing to show yet. */
    @api
    async load() {
        this.loading = this.rows.length === 0;
        try {
            this.rows = await getObjectFields({ objectApiName: this.objectApiName });
            this.loadError = undefined;
        } catch (error) {
            this.rows = [];
            this.loadError = error;
        } finally {
            this.loading = false;
        }
    }

    get title() {
        return `${this.objectLabel || this.objectApiName} fields`;
    }

    get objectSyncOff() {
        return !this.syncToSalesforce;
    }

    get matchingRows() {
        const needle = this.searchTerm.trim().toLowerCase();
        if (!needle) {
            return this.rows;
        }
        return this.rows.filter((row) =>
            [row.displayName, row.salesforceField, row.salesforceLabel].some(
                (text) => text && text.toLowerCase().includes(needle)
            )
        );
    }

    get statisfyFields() {
        return this.matchingRows.filter((row) => row.origin === ORIGIN_STATISFY).map((row) => this.decorate(row));
    }

    get salesforceFields() {
        const rows = this.matchingRows.filter(
            (row) => row.origin !== ORIGIN_STATISFY && (row.mapped !== false || this.showUnmapped)
        );
        const mapped = rows.filter((row) => row.mapped !== false);
        const unmapped = rows
            .filter((row) => row.mapped === false)
            .sort((a, b) => (a.salesforceLabel || '').localeCompare(b.salesforceLabel || ''));
        return [...mapped, ...unmapped].map((row) => this.decorate(row));
    }

    get unmappedCount() {
        return this.rows.filter((row) => row.mapped === false).length;
    }

    get showUnmappedLabel() {
        return `Show Salesforce fields that are not synced (${this.unmappedCount})`;
    }

    /** The two field lists, Statisfy fields first, each with its own heading, caption and empty text. */
    get sections() {
        const searching = Boolean(this.searchTerm);
        return [
            {
                key: 'statisfy',
                headingId: 'statisfy-fields-heading',
                heading: 'Statisfy fields',
                caption: 'Fields created in Statisfy',
                sectionClass: 'statisfy-fields slds-m-bottom_medium',
                emptyClass: 'slds-text-color_weak empty-statisfy',
                emptyText: searching ? 'No Statisfy field matches the search.' : 'No fields created in Statisfy yet.',
                rows: this.statisfyFields
            },
            {
                key: 'salesforce',
                headingId: 'salesforce-fields-heading',
                heading: 'Salesforce fields',
                caption: 'Fields that came from Salesforce',
                sectionClass: 'salesforce-fields',
                emptyClass: 'slds-text-color_weak empty-salesforce',
                emptyText: searching
                    ? 'No Salesforce field matches the search.'
                    : 'No Salesforce fields are synced yet.',
                rows: this.salesforceFields
            }
        ].map((section) => ({ ...section, hasRows: section.rows.length > 0 }));
    }

    decorate(row) {
        const mapped = row.mapped !== false;
        const name = row.displayName || row.salesforceLabel || row.salesforceField;
        const rowKey = row.mappingId || row.key || `${row.origin || 'unmapped'}:${row.salesforceField}`;
        let pushText;
        if (!mapped) {
            pushText = 'Not synced';
        } else if (row.pushesToSalesforce) {
            pushText = 'Pushes to Salesforce';
        } else {
            pushText = row.reason || 'Does not push to Salesforce';
        }
        return {
            ...row,
            rowKey,
            name,
            salesforceText: row.salesforceField
                ? `${row.salesforceLabel ? row.salesforceLabel + ' ' : ''}(${row.salesforceField})`
                : '—',
            originText: row.origin || 'Not synced',
            editableText: row.editable ? 'Yes' : 'No',
            pushes: mapped && row.pushesToSalesforce === true,
            pushText,
            pushIcon: mapped && row.pushesToSalesforce ? 'utility:success' : 'utility:ban',
            pushVariant: mapped && row.pushesToSalesforce ? 'success' : '',
            rowClass: mapped ? 'slds-hint-parent' : 'slds-hint-parent slds-text-color_weak',
            actionLabel: mapped ? 'Edit' : 'Sync',
            actionAssistive: ` ${name}`
        };
    }

    findRow(rowKey) {
        return this.rows.map((row) => this.decorate(row)).find((row) => row.rowKey === rowKey);
    }

    handleBack() {
        this.dispatchEvent(new CustomEvent('back'));
    }

    handleSearch(event) {
        this.searchTerm = event.target.value || '';
    }

    handleShowUnmapped(event) {
        this.showUnmapped = event.target.checked;
    }

    handleEdit(event) {
        const rowKey = event.currentTarget.dataset.focusKey;
        const row = this.findRow(rowKey);
        this.focusKeyAfterRender = rowKey;
        this.editingField = row;
    }

    handleNewField() {
        this.focusKeyAfterRender = NEW_FIELD_KEY;
        this.editingField = { origin: ORIGIN_STATISFY, editable: true, mappingId: null, key: null };
    }

    handleEditorClose() {
        this.editingField = undefined;
    }

    async handleEditorSave(event) {
        const saved = event.detail || {};
        this.editingField = undefined;
        if (saved.mappingId) {
            this.focusKeyAfterRender = saved.mappingId;
        }
        const name = saved.displayName || 'The field';
        this.dispatchEvent(
            new ShowToastEvent({
                title: `${name} saved`,
                message: saved.pushesToSalesforce
                    ? 'Edits push to Salesforce on the next sync.'
                    : `Edits stay in Statisfy: ${saved.reason || 'the field does not push to Salesforce'}.`,
                variant: 'success'
            })
        );
        await this.load();
    }

    get newFieldKey() {
        return NEW_FIELD_KEY;
    }
}
