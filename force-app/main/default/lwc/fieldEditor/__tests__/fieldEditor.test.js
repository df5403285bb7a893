import { createElement } from 'lwc';
import FieldEditor from 'c/fieldEditor';
import getSalesforceFields from '@salesforce/apex/StatisfyConfigController.getSalesforceFields';
import saveFieldMapping from '@salesforce/apex/StatisfyConfigController.saveFieldMapping';

const mockOptions = require('./data/getSalesforceFields.json');
const mockRows = require('./data/fieldRows.json');

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

async function render(field, { emitOptions = true } = {}) {
    const element = createElement('c-field-editor', { is: FieldEditor });
    element.objectApiName = 'Opportunity';
    element.objectLabel = 'Opportunities';
    element.field = field;
    document.body.appendChild(element);
    if (emitOptions) {
        getSalesforceFields.emit(mockOptions);
    }
    await flushPromises();
    return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
/** Finds an element of the template by its (scoped) id, as an idref attribute names it. */
const byId = (element, id) => [...element.shadowRoot.querySelectorAll('[id]')].find((node) => node.id === id);
const picker = (element) => $(element, 'c-field-picker');
const pickerInput = (element) => picker(element).shadowRoot.querySelector('input');
const displayNameInput = (element) => $(element, '[data-id="displayName"]');
const apiNameInput = (element) => $(element, '[data-id="salesforceField"]');
const editableBox = (element) => $(element, '[data-id="editable"]');

async function typeInto(input, value) {
    input.value = value;
    input.dispatchEvent(new CustomEvent('input'));
    await flushPromises();
}

async function clickSave(element) {
    $(element, '.modal-save').click();
    await flushPromises();
}

function sentMapping() {
    const [args] = saveFieldMapping.mock.calls[saveFieldMapping.mock.calls.length - 1];
    expect(args.objectApiName).toBe('Opportunity');
    return JSON.parse(args.mappingJson);
}

function keydown(target, key, init = {}) {
    const event = new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true, ...init });
    target.dispatchEvent(event);
    return event;
}

describe('c-field-editor', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    describe('editing a field that came from Salesforce', () => {
        it("renders a labelled modal dialog with the guide's inputs", async () => {
            const element = await render(mockRows.salesforceField);
            const dialog = $(element, 'section[role="dialog"]');
            expect(dialog.getAttribute('aria-modal')).toBe('true');
            const heading = $(element, 'h1');
            expect(dialog.getAttribute('aria-labelledby')).toBe(heading.id);
            expect(heading.textContent).toBe('Edit Amount');
            expect(byId(element, dialog.getAttribute('aria-describedby')).textContent).toBe(
                'Opportunities · field from Salesforce'
            );

            expect(picker(element).label).toBe('Field available in the CRM');
            expect(picker(element).value).toBe('Amount');
            expect(picker(element).options).toEqual(mockOptions);
            expect(pickerInput(element).value).toBe('Amount (Amount)');
            expect(displayNameInput(element).value).toBe('Amount');
            expect(
                [...element.shadowRoot.querySelectorAll('label')].find(
                    (l) => l.htmlFor === displayNameInput(element).id
                ).textContent
            ).toContain('Display name in Statisfy');
            expect(editableBox(element).checked).toBe(true);
            expect(apiNameInput(element)).toBeNull();
            expect($(element, '.push-hint').textContent).toContain('Edits push to Salesforce on the next sync');
        });

        it('moves focus into the picker when it opens', async () => {
            const element = await render(mockRows.salesforceField);
            expect(element.shadowRoot.activeElement).toBe(picker(element));
            expect(picker(element).shadowRoot.activeElement).toBe(pickerInput(element));
        });

        it('is accessible', async () => {
            const element = await render(mockRows.salesforceField);
            await expect(element).toBeAccessible();
        });

        it('saves the mapping in the JSON shape of saveFieldMapping and fires save with the row', async () => {
            const saved = { ...mockRows.salesforceField, displayName: 'Deal size', salesforceField: 'Amount' };
            saveFieldMapping.mockResolvedValue(saved);
            const element = await render(mockRows.salesforceField);
            const handler = jest.fn();
            element.addEventListener('save', handler);

            await typeInto(displayNameInput(element), '  Deal size ');
            editableBox(element).checked = false;
            editableBox(element).dispatchEvent(new CustomEvent('change'));
            await flushPromises();
            expect($(element, '.push-hint').textContent).toContain('Not Editable');
            await clickSave(element);

            expect(sentMapping()).toEqual({
                mappingId: 'a02000000000001AAA',
                key: 'Opportunity.Amount',
                salesforceField: 'Amount',
                displayName: 'Deal size',
                editable: false,
                origin: 'Salesforce'
            });
            expect(handler).toHaveBeenCalledTimes(1);
            expect(handler.mock.calls[0][0].detail).toEqual(saved);
        });

        it('saves the field chosen in the picker', async () => {
            saveFieldMapping.mockResolvedValue(mockRows.salesforceField);
            const element = await render(mockRows.salesforceField);
            const input = pickerInput(element);
            await typeInto(input, 'stage');
            keydown(input, 'Enter');
            await flushPromises();
            await clickSave(element);
            expect(sentMapping().salesforceField).toBe('StageName');
            expect(sentMapping().displayName).toBe('Amount');
        });

        it('shows Apex validation errors under the input they are about and focuses it', async () => {
            saveFieldMapping.mockRejectedValue({
                body: { message: 'Field Amount is already mapped to "Deal size"' }
            });
            const element = await render(mockRows.salesforceField);
            displayNameInput(element).focus();
            await clickSave(element);
            await flushPromises();

            expect(picker(element).error).toBe('Field Amount is already mapped to "Deal size"');
            expect(pickerInput(element).getAttribute('aria-invalid')).toBe('true');
            expect(element.shadowRoot.activeElement).toBe(picker(element));
            expect($(element, 'c-error-panel')).toBeNull();
            await expect(element).toBeAccessible();

            // Choosing another field clears the message.
            picker(element).dispatchEvent(
                new CustomEvent('change', { detail: { value: 'CloseDate', option: mockOptions[1] } })
            );
            await flushPromises();
            expect(picker(element).error).toBeUndefined();
        });

        it('puts the not-updateable message under Editable', async () => {
            saveFieldMapping.mockRejectedValue({
                body: { message: 'Field CreatedDate is not updateable in Salesforce, so it cannot be Editable' }
            });
            const element = await render({ ...mockRows.salesforceField, salesforceField: 'CreatedDate' });
            expect($(element, '.push-hint').textContent).toContain('CreatedDate is read-only in Salesforce');
            await clickSave(element);
            await flushPromises();
            const error = byId(element, editableBox(element).getAttribute('aria-describedby').split(' ')[0]);
            expect(error.textContent).toBe(
                'Field CreatedDate is not updateable in Salesforce, so it cannot be Editable'
            );
            expect(element.shadowRoot.activeElement).toBe(editableBox(element));

            editableBox(element).checked = false;
            editableBox(element).dispatchEvent(new CustomEvent('change'));
            await flushPromises();
            expect(editableBox(element).getAttribute('aria-describedby')).not.toContain('error');
        });

        it('shows messages that belong to no input in the error panel and keeps the dialog open', async () => {
            saveFieldMapping.mockRejectedValue({ body: { message: 'UNABLE_TO_LOCK_ROW: try again' } });
            const element = await render(mockRows.salesforceField);
            const saveHandler = jest.fn();
            element.addEventListener('save', saveHandler);
            await clickSave(element);
            const panel = $(element, 'c-error-panel');
            expect(panel.friendlyMessage).toBe('The field was not saved');
            expect(panel.shadowRoot.textContent).toContain('UNABLE_TO_LOCK_ROW: try again');
            expect(saveHandler).not.toHaveBeenCalled();
            expect($(element, '.modal-save').disabled).toBe(false);
        });

        it('disables Save and shows a spinner while saving; cancel waits', async () => {
            let finish;
            saveFieldMapping.mockReturnValue(
                new Promise((resolve) => {
                    finish = resolve;
                })
            );
            const element = await render(mockRows.salesforceField);
            const closeHandler = jest.fn();
            element.addEventListener('close', closeHandler);
            $(element, '.modal-save').click();
            await Promise.resolve();
            expect($(element, '.modal-save').disabled).toBe(true);
            expect($(element, '.modal-save').textContent.trim()).toBe('Saving…');
            expect($(element, 'lightning-spinner')).not.toBeNull();
            $(element, '.modal-cancel').click();
            expect(closeHandler).not.toHaveBeenCalled();
            finish(mockRows.salesforceField);
            await flushPromises();
            expect($(element, 'lightning-spinner')).toBeNull();
        });
    });

    describe('a field that is not synced yet', () => {
        it('offers it from Salesforce with its label as display name', async () => {
            saveFieldMapping.mockResolvedValue({ ...mockRows.unmappedField, mappingId: 'a02000000000009AAA' });
            const element = await render(mockRows.unmappedField);
            expect($(element, 'h1').textContent).toBe('Sync Created Date');
            expect(picker(element).value).toBe('CreatedDate');
            expect(displayNameInput(element).value).toBe('Created Date');
            expect(editableBox(element).checked).toBe(false);
            await clickSave(element);
            expect(sentMapping()).toEqual({
                mappingId: null,
                key: null,
                salesforceField: 'CreatedDate',
                displayName: 'Created Date',
                editable: false,
                origin: 'Salesforce'
            });
        });

        it('fills an empty display name from the chosen field and says when the picker is empty', async () => {
            const element = await render({ origin: 'Salesforce' });
            expect($(element, 'h1').textContent).toBe('Sync a Salesforce field');
            picker(element).dispatchEvent(
                new CustomEvent('change', { detail: { value: 'StageName', option: mockOptions[5] } })
            );
            await flushPromises();
            expect(displayNameInput(element).value).toBe('Stage');
            picker(element).dispatchEvent(new CustomEvent('change', { detail: { value: null, option: null } }));
            await flushPromises();
            expect(displayNameInput(element).value).toBe('Stage');
        });
    });

    describe('a field created in Statisfy', () => {
        it('asks for the Salesforce field API name instead of the picker and focuses the display name', async () => {
            const element = await render({ origin: 'Statisfy', editable: true });
            expect($(element, 'h1').textContent).toBe('New field');
            expect(picker(element)).toBeNull();
            expect(apiNameInput(element)).not.toBeNull();
            expect(
                [...element.shadowRoot.querySelectorAll('label')].find((l) => l.htmlFor === apiNameInput(element).id)
                    .textContent
            ).toContain('Salesforce field API name');
            expect(element.shadowRoot.activeElement).toBe(displayNameInput(element));
            expect($(element, '.push-hint').textContent).toContain('No Salesforce field API name: edits stay');
            await expect(element).toBeAccessible();
        });

        it('saves a blank API name as null so the field stays in Statisfy', async () => {
            saveFieldMapping.mockResolvedValue(mockRows.statisfyField);
            const element = await render(mockRows.statisfyField);
            expect($(element, 'h1').textContent).toBe('Edit Renewal Risk');
            await typeInto(apiNameInput(element), '   ');
            await clickSave(element);
            expect(sentMapping()).toEqual({
                mappingId: 'a02000000000002AAA',
                key: 'Opportunity.Renewal_Risk',
                salesforceField: null,
                displayName: 'Renewal Risk',
                editable: true,
                origin: 'Statisfy'
            });
        });

        it('saves a new field with its Salesforce field API name', async () => {
            saveFieldMapping.mockResolvedValue(mockRows.statisfyField);
            const element = await render(undefined);
            await typeInto(displayNameInput(element), 'Health');
            await typeInto(apiNameInput(element), ' Health_Score__c ');
            editableBox(element).checked = true;
            editableBox(element).dispatchEvent(new CustomEvent('change'));
            await clickSave(element);
            expect(sentMapping()).toEqual({
                mappingId: null,
                key: null,
                salesforceField: 'Health_Score__c',
                displayName: 'Health',
                editable: true,
                origin: 'Statisfy'
            });
        });

        it('shows a type mismatch under the API name and clears it on typing', async () => {
            const message = 'Type Text of Health does not fit Salesforce field Amount of type currency';
            saveFieldMapping.mockRejectedValue({ body: { message } });
            const element = await render(mockRows.statisfyField);
            await typeInto(apiNameInput(element), 'Amount');
            await clickSave(element);
            await flushPromises();
            const describedBy = apiNameInput(element).getAttribute('aria-describedby').split(' ');
            expect(byId(element, describedBy[0]).textContent.trim()).toBe(message);
            expect(apiNameInput(element).getAttribute('aria-invalid')).toBe('true');
            expect(element.shadowRoot.activeElement).toBe(apiNameInput(element));
            await expect(element).toBeAccessible();

            await typeInto(apiNameInput(element), 'Amount__c');
            expect(apiNameInput(element).getAttribute('aria-invalid')).toBe('false');
        });
    });

    describe('display name validation', () => {
        it('requires a display name before calling Apex', async () => {
            const element = await render({ origin: 'Statisfy' });
            await typeInto(displayNameInput(element), '   ');
            await clickSave(element);

            expect(saveFieldMapping).not.toHaveBeenCalled();
            const input = displayNameInput(element);
            expect(input.getAttribute('aria-invalid')).toBe('true');
            expect(byId(element, input.getAttribute('aria-describedby')).textContent.trim()).toBe(
                'Display name in Statisfy is required'
            );
            expect(element.shadowRoot.activeElement).toBe(input);
            await expect(element).toBeAccessible();

            await typeInto(input, 'Renewal Risk');
            expect(input.getAttribute('aria-invalid')).toBe('false');
            expect(input.getAttribute('aria-describedby')).toBeNull();
        });

        it('shows the same message when Apex refuses the display name, plus any further message', async () => {
            saveFieldMapping.mockRejectedValue({
                body: {
                    pageErrors: [
                        { message: 'Display name in Statisfy is required' },
                        { message: 'Display name in Statisfy is required: 2' },
                        { message: 'Something else' }
                    ]
                }
            });
            const element = await render(mockRows.statisfyField);
            await clickSave(element);
            await flushPromises();
            expect(byId(element, displayNameInput(element).getAttribute('aria-describedby')).textContent.trim()).toBe(
                'Display name in Statisfy is required'
            );
            const panel = $(element, 'c-error-panel');
            expect(panel.errors).toEqual(['Display name in Statisfy is required: 2', 'Something else']);
            expect(element.shadowRoot.activeElement).toBe(displayNameInput(element));
        });
    });

    describe('keyboard and closing', () => {
        it('closes on Escape, on Cancel and on the close button', async () => {
            const element = await render(mockRows.salesforceField);
            const handler = jest.fn();
            element.addEventListener('close', handler);
            const escape = keydown(displayNameInput(element), 'Escape');
            expect(escape.defaultPrevented).toBe(true);
            $(element, '.modal-cancel').click();
            $(element, '.modal-close').click();
            expect(handler).toHaveBeenCalledTimes(3);
            expect($(element, '.modal-close').textContent).toContain('Cancel and close');
        });

        it('keeps Escape inside an open picker list from closing the dialog', async () => {
            const element = await render(mockRows.salesforceField);
            const handler = jest.fn();
            element.addEventListener('close', handler);
            keydown(pickerInput(element), 'ArrowDown');
            await flushPromises();
            keydown(pickerInput(element), 'Escape');
            expect(handler).not.toHaveBeenCalled();
            keydown(pickerInput(element), 'Escape');
            expect(handler).toHaveBeenCalledTimes(1);
        });

        it('traps Tab focus inside the dialog', async () => {
            const element = await render(mockRows.salesforceField);
            const close = $(element, '.modal-close');
            const save = $(element, '.modal-save');

            save.focus();
            const tab = keydown(save, 'Tab');
            expect(tab.defaultPrevented).toBe(true);
            expect(element.shadowRoot.activeElement).toBe(close);

            const shiftTab = keydown(close, 'Tab', { shiftKey: true });
            expect(shiftTab.defaultPrevented).toBe(true);
            expect(element.shadowRoot.activeElement).toBe(save);

            displayNameInput(element).focus();
            const middle = keydown(displayNameInput(element), 'Tab');
            expect(middle.defaultPrevented).toBe(false);
            const middleBack = keydown(displayNameInput(element), 'Tab', { shiftKey: true });
            expect(middleBack.defaultPrevented).toBe(false);
        });

        it('uses Cancel as the last stop while Save is disabled', async () => {
            saveFieldMapping.mockReturnValue(new Promise(() => {}));
            const element = await render(mockRows.salesforceField);
            $(element, '.modal-save').click();
            await Promise.resolve();
            const cancel = $(element, '.modal-cancel');
            cancel.focus();
            keydown(cancel, 'Tab');
            expect(element.shadowRoot.activeElement).toBe($(element, '.modal-close'));
        });
    });

    describe('getSalesforceFields @wire error', () => {
        it('shows the error panel and keeps the dialog usable', async () => {
            const element = await render(mockRows.salesforceField, { emitOptions: false });
            getSalesforceFields.error({ message: 'Unknown object Opportunity' });
            await flushPromises();
            const panel = $(element, 'c-error-panel.options-error');
            expect(panel.friendlyMessage).toBe('Could not load the Salesforce fields of this object');
            expect(picker(element).options).toEqual([]);
            expect(pickerInput(element).value).toBe('Amount');
            await expect(element).toBeAccessible();
        });
    });
});
