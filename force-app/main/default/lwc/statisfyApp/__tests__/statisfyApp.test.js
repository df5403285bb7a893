import { createElement } from 'lwc';
import StatisfyApp from 'c/statisfyApp';
import getSyncObjects from '@salesforce/apex/StatisfyConfigController.getSyncObjects';
import getSyncStatus from '@salesforce/apex/StatisfyConfigController.getSyncStatus';
import getSyncErrors from '@salesforce/apex/StatisfyConfigController.getSyncErrors';

jest.mock(
    '@salesforce/apex/StatisfyConfigController.getSyncObjects',
    () => {
        const { createApexTestWireAdapter } = require('@salesforce/sfdx-lwc-jest');
        return { default: createApexTestWireAdapter(jest.fn()) };
    },
    { virtual: true }
);
jest.mock('@salesforce/apex/StatisfyConfigController.getSyncStatus', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/StatisfyConfigController.getSyncErrors', () => ({ default: jest.fn() }), {
    virtual: true
});

const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

async function render() {
    const element = createElement('c-statisfy-app', { is: StatisfyApp });
    document.body.appendChild(element);
    getSyncObjects.emit([]);
    await flushPromises();
    return element;
}

describe('c-statisfy-app', () => {
    beforeEach(() => {
        getSyncStatus.mockResolvedValue({ connectionState: 'Connected', objects: [] });
        getSyncErrors.mockResolvedValue([]);
    });

    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('has the Object Manager and Sync status sections', async () => {
        const element = await render();
        expect(element.shadowRoot.querySelector('h1').textContent).toBe('Statisfy');
        const tabs = [...element.shadowRoot.querySelectorAll('lightning-tab')];
        expect(tabs.map((tab) => tab.label)).toEqual(['Object Manager', 'Sync status']);
        expect(tabs[0].querySelector('c-object-manager')).not.toBeNull();
        expect(tabs[1].querySelector('c-sync-status')).not.toBeNull();
        expect(tabs[1].querySelector('c-sync-errors')).not.toBeNull();
        expect(element.shadowRoot.querySelector('lightning-tabset').activeTabValue).toBe('objects');
    });

    it('remembers the tab the user chose', async () => {
        const element = await render();
        const statusTab = element.shadowRoot.querySelectorAll('lightning-tab')[1];
        statusTab.value = 'status';
        statusTab.dispatchEvent(new CustomEvent('active'));
        await flushPromises();
        expect(element.shadowRoot.querySelector('lightning-tabset').activeTabValue).toBe('status');
    });

    it('is accessible', async () => {
        const element = await render();
        await expect(element).toBeAccessible();
    });
});
