import { createElement } from 'lwc';
import SyncStatus from 'c/syncStatus';
import getSyncStatus from '@salesforce/apex/StatisfyConfigController.getSyncStatus';
import requestSync from '@salesforce/apex/StatisfyConfigController.requestSync';
import { ShowToastEventName } from 'lightning/platformShowToastEvent';

const mockStatus = require('./data/getSyncStatus.json');

jest.mock('@salesforce/apex/StatisfyConfigController.getSyncStatus', () => ({ default: jest.fn() }), {
    virtual: true
});
jest.mock('@salesforce/apex/StatisfyConfigController.requestSync', () => ({ default: jest.fn() }), {
    virtual: true
});

const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

/** What Apex returns before the companion has written any Sync_Status__c record. */
const NO_STATUS_YET = {
    connectionState: 'Disconnected',
    lastInboundAt: null,
    lastOutboundAt: null,
    lastFullSyncAt: null,
    pendingCount: 0,
    failedCount: 0,
    conflictCount: 0,
    apiUsage: null,
    message: 'Statisfy has not reported a sync status yet',
    objects: []
};

async function render() {
    const element = createElement('c-sync-status', { is: SyncStatus });
    document.body.appendChild(element);
    await flushPromises();
    return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);
const text = (element, id) => $(element, `[data-id="${id}"]`).textContent.trim();

describe('c-sync-status', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('shows a spinner while loading', async () => {
        getSyncStatus.mockReturnValue(new Promise(() => {}));
        const element = await render();
        expect($(element, 'lightning-spinner')).not.toBeNull();
        expect($(element, 'lightning-card').title).toBe('Sync status');
    });

    it('shows connection, last sync times, counts and API usage', async () => {
        getSyncStatus.mockResolvedValue(mockStatus);
        const element = await render();

        expect(text(element, 'connection-state')).toBe('Connected');
        expect($(element, '[data-id="connection-state"]').className).toContain('slds-theme_success');
        expect($(element, '[data-id="last-inbound"] lightning-formatted-date-time').value).toBe(
            '2026-11-28T23:55:10.000Z'
        );
        expect($(element, '[data-id="last-outbound"] lightning-formatted-date-time').value).toBe(
            '2026-11-28T23:58:42.000Z'
        );
        expect($(element, '[data-id="last-full-sync"] lightning-formatted-date-time').value).toBe(
            '2026-11-28T02:00:00.000Z'
        );
        expect(text(element, 'pending')).toBe('3');
        expect(text(element, 'failed')).toBe('1');
        expect(text(element, 'conflicts')).toBe('2');
        expect(text(element, 'api-usage')).toBe('1234/100000 (1% of the daily limit)');
        expect($(element, 'lightning-progress-bar').value).toBe(1);
        expect($(element, '.never-synced')).toBeNull();
        expect($(element, '.status-message')).toBeNull();

        const rows = [...element.shadowRoot.querySelectorAll('tbody tr')];
        expect(rows.map((row) => row.dataset.object)).toEqual(['Account', 'Opportunity']);
        const opportunityCells = [...rows[1].querySelectorAll('td')].slice(0, 3).map((td) => td.textContent);
        expect(opportunityCells).toEqual(['1', '0', '2']);
        // Every time is shown the same way: a date and time, or Never.
        const opportunityTimes = [...rows[1].querySelectorAll('td')].slice(3);
        expect(opportunityTimes[0].querySelector('lightning-formatted-date-time').value).toBe(
            '2026-11-28T23:50:00.000Z'
        );
        expect(opportunityTimes[1].querySelector('lightning-formatted-date-time')).toBeNull();
        expect(opportunityTimes[1].textContent.trim()).toBe('Never');
    });

    it('is accessible', async () => {
        getSyncStatus.mockResolvedValue(mockStatus);
        const element = await render();
        await expect(element).toBeAccessible();
    });

    it('says when Statisfy has not synced yet', async () => {
        getSyncStatus.mockResolvedValue(NO_STATUS_YET);
        const element = await render();
        expect(text(element, 'connection-state')).toBe('Disconnected');
        expect($(element, '[data-id="connection-state"]').className).toContain('slds-theme_error');
        expect(text(element, 'last-inbound')).toBe('Never');
        expect(text(element, 'last-outbound')).toBe('Never');
        expect(text(element, 'last-full-sync')).toBe('Never');
        expect(text(element, 'api-usage')).toBe('Not reported');
        expect($(element, 'lightning-progress-bar')).toBeNull();
        expect($(element, '.status-message').textContent).toBe('Statisfy has not reported a sync status yet');
        expect($(element, '.never-synced')).not.toBeNull();
        expect($(element, 'table')).toBeNull();
        await expect(element).toBeAccessible();
    });

    it('handles a status with no state, counts or objects', async () => {
        getSyncStatus.mockResolvedValue({ apiUsage: 'n/a', connectionState: 'Paused' });
        const element = await render();
        expect(text(element, 'api-usage')).toBe('n/a');
        expect(text(element, 'connection-state')).toBe('Paused');
        expect($(element, '[data-id="connection-state"]').className).toContain('slds-theme_warning');
        expect(text(element, 'pending')).toBe('0');
        expect($(element, 'lightning-progress-bar')).toBeNull();

        getSyncStatus.mockResolvedValue({ apiUsage: '5/0' });
        $(element, '.refresh-button').click();
        await flushPromises();
        expect(text(element, 'connection-state')).toBe('Not connected yet');
        expect($(element, '[data-id="connection-state"]').className).toBe('slds-badge');
        expect($(element, 'lightning-progress-bar')).toBeNull();
    });

    it('says so when no status comes back', async () => {
        getSyncStatus.mockResolvedValue(null);
        const element = await render();
        expect($(element, '.no-status').textContent).toBe('No sync status has been reported yet.');
    });

    it('shows the error panel when the status cannot be read', async () => {
        getSyncStatus.mockRejectedValue({ body: { message: 'No access to Sync Status' } });
        const element = await render();
        const panel = $(element, 'c-error-panel.load-error');
        expect(panel.friendlyMessage).toBe('Could not load the sync status');
        expect(panel.shadowRoot.textContent).toContain('No access to Sync Status');
        await expect(element).toBeAccessible();
    });

    it('refreshes on request', async () => {
        getSyncStatus.mockResolvedValue(NO_STATUS_YET);
        const element = await render();
        getSyncStatus.mockResolvedValue(mockStatus);
        $(element, '.refresh-button').click();
        await flushPromises();
        expect(getSyncStatus).toHaveBeenCalledTimes(2);
        expect(text(element, 'connection-state')).toBe('Connected');
    });

    describe('Sync now', () => {
        it('requests an incremental sync of every object, toasts and reloads the status', async () => {
            getSyncStatus.mockResolvedValue(mockStatus);
            requestSync.mockResolvedValue('0e1f2a3b-uuid');
            const element = await render();
            const toastHandler = jest.fn();
            element.addEventListener(ShowToastEventName, toastHandler);

            const button = $(element, 'lightning-button.sync-now');
            expect(button.label).toBe('Sync now');
            button.click();
            await Promise.resolve();
            expect($(element, 'lightning-button.sync-now').disabled).toBe(true);
            await flushPromises();

            expect(requestSync).toHaveBeenCalledWith({ objectApiName: null, kind: 'INCREMENTAL' });
            expect(toastHandler).toHaveBeenCalledTimes(1);
            expect(toastHandler.mock.calls[0][0].detail.title).toBe('Sync requested');
            expect(toastHandler.mock.calls[0][0].detail.variant).toBe('success');
            expect(getSyncStatus).toHaveBeenCalledTimes(2);
            expect($(element, 'lightning-button.sync-now').disabled).toBe(false);
        });

        it('shows the error panel when the request fails, and clears it on the next success', async () => {
            getSyncStatus.mockResolvedValue(mockStatus);
            requestSync.mockRejectedValue({
                body: { message: 'You do not have permission to request a sync (Sync Request: Create)' }
            });
            const element = await render();
            const toastHandler = jest.fn();
            element.addEventListener(ShowToastEventName, toastHandler);

            $(element, 'lightning-button.sync-now').click();
            await flushPromises();

            expect(toastHandler).not.toHaveBeenCalled();
            const panel = $(element, 'c-error-panel.request-error');
            expect(panel.friendlyMessage).toBe('The sync request was not sent');
            expect(panel.shadowRoot.textContent).toContain('Sync Request: Create');
            await expect(element).toBeAccessible();

            requestSync.mockResolvedValue('uuid');
            $(element, 'lightning-button.sync-now').click();
            await flushPromises();
            expect($(element, 'c-error-panel.request-error')).toBeNull();
        });
    });
});
