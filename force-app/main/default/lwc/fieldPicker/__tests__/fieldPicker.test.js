import { createElement } from 'lwc';
import FieldPicker from 'c/fieldPicker';

const mockOptions = require('./data/getSalesforceFields.json');

const flushPromises = () => new Promise((resolve) => setTimeout(resolve, 0));

function render(props = {}) {
    const element = createElement('c-field-picker', { is: FieldPicker });
    Object.assign(element, { options: mockOptions, ...props });
    document.body.appendChild(element);
    return element;
}

const input = (element) => element.shadowRoot.querySelector('input[role="combobox"]');
const optionTexts = (element) =>
    [...element.shadowRoot.querySelectorAll('[role="option"] .slds-listbox__option-text')].map((o) => o.textContent);

async function type(element, text) {
    const field = input(element);
    field.value = text;
    field.dispatchEvent(new CustomEvent('input'));
    await flushPromises();
}

async function press(element, key, init = {}) {
    const event = new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true, ...init });
    input(element).dispatchEvent(event);
    await flushPromises();
    return event;
}

describe('c-field-picker', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    it('shows the chosen field by label and API name, list closed', async () => {
        const element = render({ value: 'StageName', required: true });
        await flushPromises();
        expect(input(element).value).toBe('Stage (StageName)');
        expect(input(element).getAttribute('aria-expanded')).toBe('false');
        expect(element.shadowRoot.querySelector('[role="listbox"]')).toBeNull();
        expect(element.shadowRoot.querySelector('label').textContent).toContain('Field available in the CRM');
        expect(input(element).getAttribute('aria-required')).toBe('true');
        await expect(element).toBeAccessible();
    });

    it('shows an API name it does not know as typed', async () => {
        const element = render({ value: 'Legacy__c' });
        await flushPromises();
        expect(input(element).value).toBe('Legacy__c');
        element.options = undefined;
        await flushPromises();
        expect(input(element).value).toBe('Legacy__c');
        expect(element.value).toBe('Legacy__c');
    });

    it('filters by label or API name while typing and announces the count', async () => {
        const element = render();
        await type(element, 'date');
        expect(optionTexts(element)).toEqual(['Close Date', 'Created Date']);
        expect(input(element).getAttribute('aria-expanded')).toBe('true');
        expect(element.shadowRoot.querySelector('[aria-live="polite"]').textContent).toBe('2 fields found');
        const meta = element.shadowRoot.querySelectorAll('.slds-listbox__option-meta');
        expect(meta[1].textContent).toBe('CreatedDate · datetime · read-only');

        await type(element, '__c');
        expect(optionTexts(element)).toEqual(['Health Score']);
        expect(element.shadowRoot.querySelector('[aria-live="polite"]').textContent).toBe('1 field found');
        await expect(element).toBeAccessible();
    });

    it('says when nothing matches', async () => {
        const element = render();
        await type(element, 'zzz');
        expect(element.shadowRoot.querySelector('[role="listbox"]')).toBeNull();
        expect(element.shadowRoot.querySelector('.no-match').textContent).toContain('No Salesforce field matches');
        expect(input(element).getAttribute('aria-activedescendant')).toBeNull();
    });

    it('moves through the options with the arrow keys and chooses with Enter', async () => {
        const element = render();
        const handler = jest.fn();
        element.addEventListener('change', handler);

        await press(element, 'ArrowDown');
        expect(input(element).getAttribute('aria-expanded')).toBe('true');
        const active = () => element.shadowRoot.querySelector('.slds-has-focus .slds-listbox__option-text').textContent;
        expect(active()).toBe('Amount');
        expect(input(element).getAttribute('aria-activedescendant')).toMatch(/^option-0/);

        await press(element, 'ArrowDown');
        await press(element, 'ArrowDown');
        expect(active()).toBe('Created Date');
        await press(element, 'ArrowUp');
        expect(active()).toBe('Close Date');

        const enter = await press(element, 'Enter');
        expect(enter.defaultPrevented).toBe(true);
        expect(handler).toHaveBeenCalledTimes(1);
        expect(handler.mock.calls[0][0].detail.value).toBe('CloseDate');
        expect(handler.mock.calls[0][0].detail.option.label).toBe('Close Date');
        expect(element.value).toBe('CloseDate');
        expect(input(element).value).toBe('Close Date (CloseDate)');
        expect(input(element).getAttribute('aria-expanded')).toBe('false');
    });

    it('wraps around at both ends and opens on ArrowUp at the chosen option', async () => {
        const element = render({ value: 'Name' });
        await press(element, 'ArrowUp');
        const active = () => element.shadowRoot.querySelector('.slds-has-focus .slds-listbox__option-text').textContent;
        expect(active()).toBe('Opportunity Name');
        expect(element.shadowRoot.querySelector('[aria-selected="true"]').dataset.apiName).toBe('Name');
        await press(element, 'ArrowDown');
        await press(element, 'ArrowDown');
        expect(active()).toBe('Amount');
        await press(element, 'ArrowUp');
        expect(active()).toBe('Stage');
    });

    it('closes the list on Escape without letting the key reach a dialog', async () => {
        const element = render();
        const outer = jest.fn();
        await press(element, 'ArrowDown');
        document.body.addEventListener('keydown', outer);
        const escape = await press(element, 'Escape');
        expect(escape.defaultPrevented).toBe(true);
        expect(outer).not.toHaveBeenCalled();
        expect(input(element).getAttribute('aria-expanded')).toBe('false');

        // With the list closed, Escape is left for the dialog.
        await press(element, 'Escape');
        expect(outer).toHaveBeenCalledTimes(1);
        document.body.removeEventListener('keydown', outer);
    });

    it('ignores Enter and other keys with the list closed, and closes on Tab', async () => {
        const element = render();
        const handler = jest.fn();
        element.addEventListener('change', handler);
        const enter = await press(element, 'Enter');
        expect(enter.defaultPrevented).toBe(false);
        await press(element, 'a');
        expect(handler).not.toHaveBeenCalled();
        await press(element, 'ArrowDown');
        await press(element, 'Tab');
        expect(input(element).getAttribute('aria-expanded')).toBe('false');
    });

    it('chooses an option with the mouse and toggles the list on click', async () => {
        const element = render();
        const handler = jest.fn();
        element.addEventListener('change', handler);
        input(element).click();
        await flushPromises();
        expect(input(element).getAttribute('aria-expanded')).toBe('true');

        const listbox = element.shadowRoot.querySelector('[role="listbox"]');
        const mousedown = new MouseEvent('mousedown', { bubbles: true, cancelable: true });
        listbox.dispatchEvent(mousedown);
        expect(mousedown.defaultPrevented).toBe(true);

        element.shadowRoot.querySelector('[data-api-name="Health_Score__c"]').click();
        await flushPromises();
        expect(handler.mock.calls[0][0].detail.value).toBe('Health_Score__c');
        expect(input(element).value).toBe('Health Score (Health_Score__c)');

        input(element).click();
        await flushPromises();
        input(element).click();
        await flushPromises();
        expect(input(element).getAttribute('aria-expanded')).toBe('false');
    });

    it('on blur takes an exact API name, clears on empty text and otherwise restores the choice', async () => {
        const element = render({ value: 'Amount' });
        const handler = jest.fn();
        element.addEventListener('change', handler);

        await type(element, 'stagename');
        input(element).dispatchEvent(new CustomEvent('blur'));
        await flushPromises();
        expect(handler.mock.calls[0][0].detail.value).toBe('StageName');
        expect(input(element).value).toBe('Stage (StageName)');

        await type(element, 'Stag');
        input(element).dispatchEvent(new CustomEvent('blur'));
        await flushPromises();
        expect(handler).toHaveBeenCalledTimes(1);
        expect(input(element).value).toBe('Stage (StageName)');

        await type(element, '  ');
        input(element).dispatchEvent(new CustomEvent('blur'));
        await flushPromises();
        expect(handler).toHaveBeenCalledTimes(2);
        expect(handler.mock.calls[1][0].detail).toEqual({ value: null, option: null });
        expect(input(element).value).toBe('');

        // Blur without typing changes nothing.
        input(element).dispatchEvent(new CustomEvent('blur'));
        await flushPromises();
        expect(handler).toHaveBeenCalledTimes(2);
    });

    it('shows an error under the input and marks it invalid', async () => {
        const element = render({ error: 'Field Amount__x does not exist on Opportunity' });
        await flushPromises();
        const help = element.shadowRoot.querySelector('.slds-form-element__help');
        expect(help.textContent).toBe('Field Amount__x does not exist on Opportunity');
        expect(input(element).getAttribute('aria-invalid')).toBe('true');
        expect(input(element).getAttribute('aria-describedby')).toBe(help.id);
        expect(element.shadowRoot.querySelector('.slds-has-error')).not.toBeNull();
        await expect(element).toBeAccessible();
    });

    it('focuses its input through focus()', async () => {
        const element = render();
        await flushPromises();
        element.focus();
        expect(element.shadowRoot.activeElement).toBe(input(element));
    });
});
