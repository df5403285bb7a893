import { createElement } from 'lwc';
import ObjectFields from 'c/objectFields';
import getObjectFields from '@salesforce/apex/StatisfyConfigController.getObjectFields';
import { ShowToastEventName } from 'lightning/platformShowToastEvent';

const mockRows = require('./data/getObjectFields.json');

jest.mock('@salesforce/apex/StatisfyConfigController.getObjectFields', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock(
    '@salesforce/apex/StatisfyConfigController.getSalesforceFields',
    () => {
        const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
        return { default: createApexTestWireAdapter(jest.fn()) };
    },
    { virtual: true }
);
jest.mock('@salesforce/apex/StatisfyConfigController.saveFieldMapping', () => ({ default: jest.fn() }), {
    virtual: true
});

const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

async function render(props = {}) {
    const element = createElement('c-object-fields', { is: ObjectFields });
    Object.assign(element, {
        objectApiName: 'Opportunity',
        objectLabel: 'Opportunities',
        syncToSalesforce: true,
        ...props
    });
    document.body.appendChild(element);
    await flushPromises();
    return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const $$ = (element, selector) => [...element.shadowRoot.querySelectorAll(selector)];
const cellTexts = (element, group, cell) => $$(element, `${group} tbody .${cell}`).map((td) => td.textContent.trim());
const editButton = (element, rowKey) => $(element, `button.edit-button[data-focus-key="${rowKey}"]`);

describe('c-object-fields', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    describe('getObjectFields data', () => {
        it('shows a spinner while loading', async () => {
            getObjectFields.mockReturnValue(new Promise(() => {}));
            const element = await render();
            expect($(element, 'lightning-spinner')).not.toBeNull();
            expect($(element, 'table')).toBeNull();
        });

        it('lists Statisfy fields and Salesforce fields with display name, field, origin, Editable and push status', async () => {
            getObjectFields.mockResolvedValue(mockRows);
            const element = await render();

            expect(getObjectFields).toHaveBeenCalledWith({ objectApiName: 'Opportunity' });
            expect($(element, 'h2').textContent).toBe('Opportunities fields');
            expect($(element, '.statisfy-fields h3').textContent.trim()).toBe('Statisfy fields');
            expect($(element, '.salesforce-fields h3').textContent.trim()).toBe('Salesforce fields');
            for (const section of $$(element, 'section')) {
                // Each list is labelled by its own heading and has its own caption (one template renders both).
                expect(section.querySelector('h3').id).toBe(section.getAttribute('aria-labelledby'));
            }
            expect($$(element, 'caption').map((c) => c.textContent.trim())).toEqual([
                'Fields created in Statisfy',
                'Fields that came from Salesforce'
            ]);
            expect($$(element, '.statisfy-fields thead th').map((th) => th.textContent.trim())).toEqual([
                'Display name in Statisfy',
                'Salesforce field',
                'Origin',
                'Editable',
                'Pushes to Salesforce',
                'Actions'
            ]);

            expect(cellTexts(element, '.statisfy-fields', 'field-name')).toEqual(['Renewal Risk', 'Health']);
            expect(cellTexts(element, '.statisfy-fields', 'field-salesforce')).toEqual([
                '—',
                'Health Score (Health_Score__c)'
            ]);
            expect(cellTexts(element, '.statisfy-fields', 'field-origin')).toEqual(['Statisfy', 'Statisfy']);
            expect(cellTexts(element, '.statisfy-fields', 'field-push')).toEqual([
                'No Salesforce field API name: the field stays in Statisfy',
                'Pushes to Salesforce'
            ]);

            expect(cellTexts(element, '.salesforce-fields', 'field-name')).toEqual([
                'Opportunity',
                'Deal size',
                'Stage',
                'Close date'
            ]);
            expect(cellTexts(element, '.salesforce-fields', 'field-salesforce')[1]).toBe('Amount (Amount)');
            expect(cellTexts(element, '.salesforce-fields', 'field-editable')).toEqual(['Yes', 'Yes', 'No', 'Yes']);
            expect(cellTexts(element, '.salesforce-fields', 'field-push')).toEqual([
                'Pushes to Salesforce',
                'Pushes to Salesforce',
                'Field is not Editable',
                'Mapping is inactive'
            ]);
            const amountEdit = editButton(element, 'a02000000000002AAA');
            expect(amountEdit.textContent.trim()).toBe('Edit Deal size');
            expect($(element, '.sync-off')).toBeNull();
        });

        it('is accessible', async () => {
            getObjectFields.mockResolvedValue(mockRows);
            const element = await render();
            await expect(element).toBeAccessible();
        });

        it('moves focus to its heading when it opens', async () => {
            getObjectFields.mockResolvedValue(mockRows);
            const element = await render();
            expect(element.shadowRoot.activeElement).toBe($(element, 'h2'));
        });

        it('shows Salesforce fields that are not synced on request, after the synced ones', async () => {
            getObjectFields.mockResolvedValue(mockRows);
            const element = await render();
            const checkbox = $(element, 'lightning-input.show-unmapped');
            expect(checkbox.label).toBe('Show Salesforce fields that are not synced (2)');
            checkbox.checked = true;
            checkbox.dispatchEvent(new CustomEvent('change'));
            await flushPromises();
            expect(cellTexts(element, '.salesforce-fields', 'field-name').slice(4)).toEqual([
                'Created Date',
                'Description'
            ]);
            expect(cellTexts(element, '.salesforce-fields', 'field-push').slice(4)).toEqual([
                'Not synced',
                'Not synced'
            ]);
            expect(cellTexts(element, '.salesforce-fields', 'field-origin').slice(4)).toEqual([
                'Not synced',
                'Not synced'
            ]);
            expect(editButton(element, 'unmapped:CreatedDate').textContent.trim()).toBe('Sync Created Date');
        });

        it('filters both groups by the search text', async () => {
            getObjectFields.mockResolvedValue(mockRows);
            const element = await render();
            const search = $(element, 'lightning-input.field-search');
            search.value = 'health';
            search.dispatchEvent(new CustomEvent('change'));
            await flushPromises();
            expect(cellTexts(element, '.statisfy-fields', 'field-name')).toEqual(['Health']);
            expect($(element, '.empty-salesforce').textContent).toBe('No Salesforce field matches the search.');

            search.value = 'stagename';
            search.dispatchEvent(new CustomEvent('change'));
            await flushPromises();
            expect(cellTexts(element, '.salesforce-fields', 'field-name')).toEqual(['Stage']);
            expect($(element, '.empty-statisfy').textContent).toBe('No Statisfy field matches the search.');

            search.value = undefined;
            search.dispatchEvent(new CustomEvent('change'));
            await flushPromises();
            expect(cellTexts(element, '.salesforce-fields', 'field-name')).toHaveLength(4);
        });

        it('says when an object has no fields yet and why nothing pushes when Sync to Salesforce is off', async () => {
            getObjectFields.mockResolvedValue([]);
            const element = await render({
                objectApiName: 'Renewal__c',
                objectLabel: 'Renewals',
                syncToSalesforce: false
            });
            expect($(element, '.empty-statisfy').textContent).toBe('No fields created in Statisfy yet.');
            expect($(element, '.empty-salesforce').textContent).toBe('No Salesforce fields are synced yet.');
            expect($(element, '.sync-off').textContent).toContain('Sync to Salesforce is off for Renewals');
            await expect(element).toBeAccessible();
        });
    });

    describe('getObjectFields error', () => {
        it('shows the error panel', async () => {
            getObjectFields.mockRejectedValue({ body: { message: 'Sync object Renewal__c does not exist' } });
            const element = await render({ objectApiName: 'Renewal__c', objectLabel: undefined });
            const panel = $(element, 'c-error-panel');
            expect(panel.friendlyMessage).toBe('Could not load the fields');
            expect(panel.shadowRoot.textContent).toContain('Sync object Renewal__c does not exist');
            expect($(element, 'table')).toBeNull();
            expect($(element, 'h2').textContent).toBe('Renewal__c fields');
            await expect(element).toBeAccessible();
        });
    });

    describe('editing', () => {
        it('opens the Edit dialog for a row and returns focus to its Edit button on close', async () => {
            getObjectFields.mockResolvedValue(mockRows);
            const element = await render();
            editButton(element, 'a02000000000003AAA').click();
            await flushPromises();

            const editor = $(element, 'c-field-editor');
            expect(editor.objectApiName).toBe('Opportunity');
            expect(editor.objectLabel).toBe('Opportunities');
            expect(editor.field.displayName).toBe('Stage');
            expect(editor.field.mappingId).toBe('a02000000000003AAA');

            editor.dispatchEvent(new CustomEvent('close'));
            await flushPromises();
            expect($(element, 'c-field-editor')).toBeNull();
            expect(element.shadowRoot.activeElement).toBe(editButton(element, 'a02000000000003AAA'));
        });

        it('opens an empty Statisfy field for "New field" and returns focus there on cancel', async () => {
            getObjectFields.mockResolvedValue(mockRows);
            const element = await render();
            const newButton = $(element, 'button.new-field');
            expect(newButton.textContent.trim()).toBe('New field');
            newButton.click();
            await flushPromises();

            const editor = $(element, 'c-field-editor');
            expect(editor.field).toEqual({ origin: 'Statisfy', editable: true, mappingId: null, key: null });
            editor.dispatchEvent(new CustomEvent('close'));
            await flushPromises();
            expect(element.shadowRoot.activeElement).toBe($(element, 'button.new-field'));
        });

        it('after a save toasts, reloads the fields and focuses the saved row', async () => {
            getObjectFields.mockResolvedValue(mockRows);
            const element = await render();
            const toastHandler = jest.fn();
            element.addEventListener(ShowToastEventName, toastHandler);
            editButton(element, 'a02000000000002AAA').click();
            await flushPromises();

            const saved = { ...mockRows[1], displayName: 'Deal value' };
            getObjectFields.mockResolvedValue([mockRows[0], saved]);
            $(element, 'c-field-editor').dispatchEvent(new CustomEvent('save', { detail: saved }));
            await flushPromises();

            expect(toastHandler.mock.calls[0][0].detail).toEqual({
                title: 'Deal value saved',
                message: 'Edits push to Salesforce on the next sync.',
                variant: 'success'
            });
            expect(getObjectFields).toHaveBeenCalledTimes(2);
            expect($(element, 'c-field-editor')).toBeNull();
            expect(cellTexts(element, '.salesforce-fields', 'field-name')).toEqual(['Opportunity', 'Deal value']);
            expect(element.shadowRoot.activeElement).toBe(editButton(element, 'a02000000000002AAA'));
        });

        it('says why a saved field does not push', async () => {
            getObjectFields.mockResolvedValue(mockRows);
            const element = await render();
            const toastHandler = jest.fn();
            element.addEventListener(ShowToastEventName, toastHandler);
            $(element, 'button.new-field').click();
            await flushPromises();
            $(element, 'c-field-editor').dispatchEvent(new CustomEvent('save', { detail: mockRows[4] }));
            await flushPromises();
            expect(toastHandler.mock.calls[0][0].detail.title).toBe('Renewal Risk saved');
            expect(toastHandler.mock.calls[0][0].detail.message).toBe(
                'Edits stay in Statisfy: No Salesforce field API name: the field stays in Statisfy.'
            );
        });

        it('still toasts when the save event carries no row', async () => {
            getObjectFields.mockResolvedValue(mockRows);
            const element = await render();
            const toastHandler = jest.fn();
            element.addEventListener(ShowToastEventName, toastHandler);
            $(element, 'button.new-field').click();
            await flushPromises();
            $(element, 'c-field-editor').dispatchEvent(new CustomEvent('save'));
            await flushPromises();
            expect(toastHandler.mock.calls[0][0].detail.title).toBe('The field saved');
            expect(toastHandler.mock.calls[0][0].detail.message).toBe(
                'Edits stay in Statisfy: the field does not push to Salesforce.'
            );
        });
    });

    it('fires back from the Object Manager breadcrumb', async () => {
        getObjectFields.mockResolvedValue([]);
        const element = await render();
        const handler = jest.fn();
        element.addEventListener('back', handler);
        $(element, 'button.back-button').click();
        expect(handler).toHaveBeenCalledTimes(1);
    });
});
