import { createElement } from 'lwc';
import ObjectManager from 'c/objectManager';
import getSyncObjects from '@salesforce/apex/StatisfyConfigController.getSyncObjects';
import setSyncToSalesforce from '@salesforce/apex/StatisfyConfigController.setSyncToSalesforce';
import getObjectFields from '@salesforce/apex/StatisfyConfigController.getObjectFields';
import { refreshApex } from '@salesforce/apex';
import { ShowToastEventName } from 'lightning/platformShowToastEvent';
import { subscribe, unsubscribe, empApiMock } from 'lightning/empApi';

const mockObjects = require('./data/getSyncObjects.json');

jest.mock(
    '@salesforce/apex/StatisfyConfigController.getSyncObjects',
    () => {
        const { createApexTestWireAdapter: create } = require('@salesforce/sfdx-lwc-jest');
        return { default: create(jest.fn()) };
    },
    { virtual: true }
);
jest.mock('@salesforce/apex/StatisfyConfigController.setSyncToSalesforce', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/StatisfyConfigController.getObjectFields', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock(
    '@salesforce/apex/StatisfyConfigController.getSalesforceFields',
    () => {
        const { createApexTestWireAdapter: create } = require('@salesforce/sfdx-lwc-jest');
        return { default: create(jest.fn()) };
    },
    { virtual: true }
);
jest.mock('@salesforce/apex', () => ({ refreshApex: jest.fn(() => Promise.resolve()) }), { virtual: true });

const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));
/** Longer than the component's refresh delay for a burst of change events. */
const waitForRefresh = () => new Promise((resolve) => setTimeout(resolve, 350));

function changeEvent(objectApiName, objectField = 'Object_Api_Name__c') {
    return {
        channel: '/event/Record_Change__e',
        data: { payload: { [objectField]: objectApiName, Change_Type__c: 'UPDATE' } }
    };
}

function render() {
    const element = createElement('c-object-manager', { is: ObjectManager });
    document.body.appendChild(element);
    return element;
}

function rowNames(element, section) {
    return [...element.shadowRoot.querySelectorAll(`${section} .object-link`)].map((b) => b.textContent.trim());
}

function toggleFor(element, objectApiName) {
    return element.shadowRoot.querySelector(`lightning-input.sync-toggle[data-object="${objectApiName}"]`);
}

async function flip(toggle, checked) {
    toggle.checked = checked;
    toggle.dispatchEvent(new CustomEvent('change'));
    await flushPromises();
}

describe('c-object-manager', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
        empApiMock.resetMock();
    });

    describe('getSyncObjects @wire data', () => {
        it('shows a spinner until the objects arrive', () => {
            const element = render();
            expect(element.shadowRoot.querySelector('lightning-spinner')).not.toBeNull();
            expect(element.shadowRoot.querySelector('table')).toBeNull();
        });

        it('labels each list by its own heading', async () => {
            const element = render();
            getSyncObjects.emit(mockObjects);
            await flushPromises();

            const sections = [...element.shadowRoot.querySelectorAll('section')];
            const headings = sections.map((section) => section.querySelector('h3'));
            expect(headings.map((h) => h.textContent.trim())).toEqual(['Standard Objects', 'Custom Objects']);
            expect(headings[0].id).not.toBe(headings[1].id);
            sections.forEach((section, i) => expect(section.getAttribute('aria-labelledby')).toBe(headings[i].id));
        });

        it('lists Accounts, Opportunities, People as standard objects and the rest under Custom Objects', async () => {
            const element = render();
            getSyncObjects.emit(mockObjects);
            await flushPromises();

            expect(rowNames(element, '.standard-objects')).toEqual(['Accounts', 'Opportunities', 'People']);
            expect(rowNames(element, '.custom-objects')).toEqual(['Health Scores', 'Renewals']);
            expect(element.shadowRoot.querySelector('.custom-objects h3').textContent.trim()).toBe('Custom Objects');

            const accountToggle = toggleFor(element, 'Account');
            expect(accountToggle.type).toBe('toggle');
            expect(accountToggle.checked).toBe(true);
            expect(accountToggle.label).toBe('Sync Accounts to Salesforce');
            expect(toggleFor(element, 'Health_Score__c').checked).toBe(false);

            const counts = [...element.shadowRoot.querySelectorAll('.custom-objects .field-count')].map((td) =>
                td.textContent.trim()
            );
            expect(counts).toEqual(['1 field', '0 fields']);
            const renewalRow = element.shadowRoot.querySelector('tr[data-row="Renewal__c"]');
            expect(renewalRow.textContent).toContain('Not synced');
        });

        it('is accessible with objects', async () => {
            const element = render();
            getSyncObjects.emit(mockObjects);
            await flushPromises();
            await expect(element).toBeAccessible();
        });

        it('says so when there are no objects of either kind', async () => {
            const element = render();
            getSyncObjects.emit([]);
            await flushPromises();
            expect(element.shadowRoot.querySelector('.empty-standard').textContent).toContain(
                'Accounts, Opportunities and People'
            );
            expect(element.shadowRoot.querySelector('.empty-custom').textContent).toContain(
                'Custom objects you bring in from Salesforce appear here'
            );
            await expect(element).toBeAccessible();
        });
    });

    describe('getSyncObjects @wire error', () => {
        it('shows the error panel with the Apex message', async () => {
            const element = render();
            getSyncObjects.error({ message: 'You do not have access to Sync Object' });
            await flushPromises();
            const panel = element.shadowRoot.querySelector('c-error-panel.load-error');
            expect(panel).not.toBeNull();
            expect(panel.friendlyMessage).toBe('Could not load the synced objects');
            expect(panel.shadowRoot.querySelector('.messages').textContent).toContain(
                'You do not have access to Sync Object'
            );
            expect(element.shadowRoot.querySelector('table')).toBeNull();
            await expect(element).toBeAccessible();
        });
    });

    describe('Sync to Salesforce switch', () => {
        it("turns writeback on and confirms with the guide's toast", async () => {
            setSyncToSalesforce.mockResolvedValue({ ...mockObjects[1], syncToSalesforce: true });
            const element = render();
            getSyncObjects.emit(mockObjects);
            await flushPromises();
            const toastHandler = jest.fn();
            element.addEventListener(ShowToastEventName, toastHandler);

            await flip(toggleFor(element, 'Health_Score__c'), true);

            expect(setSyncToSalesforce).toHaveBeenCalledWith({ objectApiName: 'Health_Score__c', enabled: true });
            expect(toastHandler).toHaveBeenCalledTimes(1);
            const toast = toastHandler.mock.calls[0][0].detail;
            expect(toast.title).toBe('Writeback to Salesforce is enabled for Health Scores');
            expect(toast.variant).toBe('success');
            expect(toggleFor(element, 'Health_Score__c').checked).toBe(true);
            expect(refreshApex).toHaveBeenCalled();
        });

        it('confirms turning writeback off', async () => {
            setSyncToSalesforce.mockResolvedValue({ ...mockObjects[2], syncToSalesforce: false });
            const element = render();
            getSyncObjects.emit(mockObjects);
            await flushPromises();
            const toastHandler = jest.fn();
            element.addEventListener(ShowToastEventName, toastHandler);

            await flip(toggleFor(element, 'Account'), false);

            expect(setSyncToSalesforce).toHaveBeenCalledWith({ objectApiName: 'Account', enabled: false });
            const toast = toastHandler.mock.calls[0][0].detail;
            expect(toast.title).toBe('Writeback to Salesforce is disabled for Accounts');
            expect(toast.message).toBe('Edits made in Statisfy stay in Statisfy.');
        });

        it('disables the switch while the change is saved', async () => {
            let resolveSave;
            setSyncToSalesforce.mockReturnValue(
                new Promise((resolve) => {
                    resolveSave = resolve;
                })
            );
            const element = render();
            getSyncObjects.emit(mockObjects);
            await flushPromises();

            const toggle = toggleFor(element, 'Health_Score__c');
            toggle.checked = true;
            toggle.dispatchEvent(new CustomEvent('change'));
            await Promise.resolve();
            expect(toggleFor(element, 'Health_Score__c').disabled).toBe(true);

            resolveSave({ ...mockObjects[1], syncToSalesforce: true });
            await flushPromises();
            expect(toggleFor(element, 'Health_Score__c').disabled).toBe(false);
        });

        it('puts the switch back and shows the error when saving fails', async () => {
            setSyncToSalesforce.mockRejectedValue({ body: { message: 'Insufficient access to Sync Object' } });
            const element = render();
            getSyncObjects.emit(mockObjects);
            await flushPromises();
            const toastHandler = jest.fn();
            element.addEventListener(ShowToastEventName, toastHandler);

            await flip(toggleFor(element, 'Health_Score__c'), true);

            expect(toastHandler).not.toHaveBeenCalled();
            expect(toggleFor(element, 'Health_Score__c').checked).toBe(false);
            const panel = element.shadowRoot.querySelector('c-error-panel.save-error');
            expect(panel.friendlyMessage).toBe('Could not turn Sync to Salesforce on for Health Scores');
            expect(panel.shadowRoot.textContent).toContain('Insufficient access to Sync Object');
            await expect(element).toBeAccessible();
        });
    });

    describe('selecting an object', () => {
        it("opens the object's fields and returns focus to the object on back", async () => {
            getObjectFields.mockResolvedValue([]);
            const element = render();
            getSyncObjects.emit(mockObjects);
            await flushPromises();

            element.shadowRoot.querySelector('button.object-link[data-object="Opportunity"]').click();
            await flushPromises();

            const fields = element.shadowRoot.querySelector('c-object-fields');
            expect(fields).not.toBeNull();
            expect(fields.objectApiName).toBe('Opportunity');
            expect(fields.objectLabel).toBe('Opportunities');
            expect(fields.syncToSalesforce).toBe(true);
            expect(getObjectFields).toHaveBeenCalledWith({ objectApiName: 'Opportunity' });
            expect(element.shadowRoot.querySelector('table')).toBeNull();

            fields.dispatchEvent(new CustomEvent('back'));
            await flushPromises();

            expect(element.shadowRoot.querySelector('c-object-fields')).toBeNull();
            const button = element.shadowRoot.querySelector('button.object-link[data-object="Opportunity"]');
            expect(element.shadowRoot.activeElement).toBe(button);
            expect(refreshApex).toHaveBeenCalled();
        });
    });

    describe('live updates (Record_Change__e)', () => {
        it('subscribes to new change events and unsubscribes when removed', async () => {
            const element = render();
            await flushPromises();
            expect(subscribe).toHaveBeenCalledWith('/event/Record_Change__e', -1, expect.any(Function));
            document.body.removeChild(element);
            expect(unsubscribe).toHaveBeenCalledTimes(1);
        });

        it('refreshes the objects once per burst of configuration changes, namespaced or not', async () => {
            const element = render();
            getSyncObjects.emit(mockObjects);
            await flushPromises();

            empApiMock.fireMockEvent(changeEvent('statisfy__Field_Mapping__c', 'statisfy__Object_Api_Name__c'));
            empApiMock.fireMockEvent(changeEvent('Sync_Object__c'));
            empApiMock.fireMockEvent(changeEvent('Field_Mapping__c'));
            await waitForRefresh();
            expect(refreshApex).toHaveBeenCalledTimes(1);
            expect(element.shadowRoot.querySelector('.live-updates-off')).toBeNull();
        });

        it('ignores changes of synced records and events without an object', async () => {
            render();
            getSyncObjects.emit(mockObjects);
            await flushPromises();
            empApiMock.fireMockEvent(changeEvent('Account'));
            empApiMock.fireMockEvent({ channel: '/event/Record_Change__e', data: { payload: {} } });
            empApiMock.fireMockEvent({ channel: '/event/Record_Change__e' });
            await waitForRefresh();
            expect(refreshApex).not.toHaveBeenCalled();
        });

        it("reloads the open object's fields too", async () => {
            getObjectFields.mockResolvedValue([]);
            const element = render();
            getSyncObjects.emit(mockObjects);
            await flushPromises();
            element.shadowRoot.querySelector('button.object-link[data-object="Account"]').click();
            await flushPromises();
            expect(getObjectFields).toHaveBeenCalledTimes(1);

            empApiMock.fireMockEvent(changeEvent('Field_Mapping__c'));
            await waitForRefresh();
            expect(getObjectFields).toHaveBeenCalledTimes(2);
            expect(getObjectFields).toHaveBeenLastCalledWith({ objectApiName: 'Account' });
        });

        it('says live updates are off when EMP is unavailable', async () => {
            empApiMock.setMockEmpEnabled(false);
            const element = render();
            getSyncObjects.emit(mockObjects);
            await flushPromises();
            expect(subscribe).not.toHaveBeenCalled();
            expect(element.shadowRoot.querySelector('.live-updates-off').textContent).toContain('Live updates are off');
            await expect(element).toBeAccessible();
        });

        it('says live updates are off when subscribing fails or the stream reports an error', async () => {
            empApiMock.setMockSubscribeError({ message: 'Handshake denied' });
            const failed = render();
            await flushPromises();
            expect(failed.shadowRoot.querySelector('.live-updates-off')).not.toBeNull();
            document.body.removeChild(failed);

            empApiMock.resetMock();
            const element = render();
            await flushPromises();
            expect(element.shadowRoot.querySelector('.live-updates-off')).toBeNull();
            empApiMock.fireMockError({ error: '403::Unknown client' });
            await flushPromises();
            expect(element.shadowRoot.querySelector('.live-updates-off')).not.toBeNull();
        });
    });
});
