import { createElement } from 'lwc';
import SyncErrors from 'c/syncErrors';
import getSyncErrors from '@salesforce/apex/StatisfyConfigController.getSyncErrors';

const mockErrors = require('./data/getSyncErrors.json');

jest.mock('@salesforce/apex/StatisfyConfigController.getSyncErrors', () => ({ default: jest.fn() }), {
    virtual: true
});

const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

async function render() {
    const element = createElement('c-sync-errors', { is: SyncErrors });
    document.body.appendChild(element);
    await flushPromises();
    return element;
}

const $ = (element, selector) => element.shadowRoot.querySelector(selector);

describe('c-sync-errors', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('shows a spinner while loading', async () => {
        getSyncErrors.mockReturnValue(new Promise(() => {}));
        const element = await render();
        expect($(element, 'lightning-spinner')).not.toBeNull();
        expect($(element, '.empty-text')).toBeNull();
    });

    it('lists the open sync errors in a datatable with a link to each record', async () => {
        getSyncErrors.mockResolvedValue(mockErrors);
        const element = await render();

        expect(getSyncErrors).toHaveBeenCalledWith({ includeResolved: false, limitSize: 200 });
        expect($(element, 'lightning-card').title).toBe('Sync errors (3)');
        const table = $(element, 'lightning-datatable');
        expect(table.keyField).toBe('id');
        expect(table.columns.map((column) => column.label)).toEqual([
            'Occurred',
            'Object',
            'Record',
            'Field',
            'Error code',
            'Message',
            'Resolved'
        ]);
        expect(table.data).toHaveLength(3);
        expect(table.data[0].recordUrl).toBe('/lightning/r/Opportunity/006000000000001AAA/view');
        expect(table.data[0].errorCode).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
        expect(table.data[2].recordUrl).toBeUndefined();
        expect($(element, '.limit-text')).toBeNull();
    });

    it('is accessible', async () => {
        getSyncErrors.mockResolvedValue(mockErrors);
        const element = await render();
        await expect(element).toBeAccessible();
    });

    it('says every edit reached Salesforce when there are no open errors', async () => {
        getSyncErrors.mockResolvedValue([]);
        const element = await render();
        expect($(element, 'lightning-datatable')).toBeNull();
        expect($(element, '.empty-text').textContent).toBe(
            'No open sync errors. Every edit made in Statisfy reached Salesforce.'
        );
        expect($(element, 'lightning-card').title).toBe('Sync errors');
        await expect(element).toBeAccessible();
    });

    it('includes resolved errors on request', async () => {
        getSyncErrors.mockResolvedValue([]);
        const element = await render();
        getSyncErrors.mockResolvedValue(null);
        const checkbox = $(element, 'lightning-input.include-resolved');
        expect(checkbox.label).toBe('Show resolved errors');
        checkbox.checked = true;
        checkbox.dispatchEvent(new CustomEvent('change'));
        await flushPromises();
        expect(getSyncErrors).toHaveBeenLastCalledWith({ includeResolved: true, limitSize: 200 });
        expect($(element, '.empty-text').textContent).toBe('No sync errors recorded.');
    });

    it('says when only the newest errors are shown', async () => {
        const many = Array.from({ length: 200 }, (_, index) => ({ ...mockErrors[0], id: `a04${index}` }));
        getSyncErrors.mockResolvedValue(many);
        const element = await render();
        expect($(element, '.limit-text').textContent).toBe('Showing the newest 200 errors.');
    });

    it('shows the error panel when the errors cannot be read, and recovers on refresh', async () => {
        getSyncErrors.mockRejectedValue({ body: { message: 'Limit must be between 1 and 1000, not 0' } });
        const element = await render();
        const panel = $(element, 'c-error-panel.load-error');
        expect(panel.friendlyMessage).toBe('Could not load the sync errors');
        expect(panel.shadowRoot.textContent).toContain('Limit must be between 1 and 1000, not 0');
        expect($(element, '.empty-text')).toBeNull();
        await expect(element).toBeAccessible();

        getSyncErrors.mockResolvedValue(mockErrors);
        $(element, '.refresh-button').click();
        await flushPromises();
        expect($(element, 'c-error-panel')).toBeNull();
        expect($(element, 'lightning-datatable').data).toHaveLength(3);
    });
});
