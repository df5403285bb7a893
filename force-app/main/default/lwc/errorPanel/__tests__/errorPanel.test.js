import { createElement } from 'lwc';
import ErrorPanel from 'c/errorPanel';

describe('c-error-panel', () => {
    afterEach(() => {
        while (document.body.firstChild) {
            document.body.removeChild(document.body.firstChild);
        }
        jest.clearAllMocks();
    });

    function render(props) {
        const element = createElement('c-error-panel', { is: ErrorPanel });
        Object.assign(element, props);
        document.body.appendChild(element);
        return element;
    }

    it('shows the friendly message and every reduced message in an alert', async () => {
        const element = render({
            friendlyMessage: 'Could not load the objects',
            errors: [{ body: { message: 'Insufficient access' } }, { body: [{ message: 'Timed out' }] }]
        });
        const alert = element.shadowRoot.querySelector('[role="alert"]');
        expect(alert).not.toBeNull();
        expect(element.shadowRoot.querySelector('.friendly-message').textContent).toBe('Could not load the objects');
        const items = [...element.shadowRoot.querySelectorAll('.messages li')].map((li) => li.textContent);
        expect(items).toEqual(['Insufficient access', 'Timed out']);
        await expect(element).toBeAccessible();
    });

    it('uses a default friendly message and no list without errors', async () => {
        const element = render({});
        expect(element.shadowRoot.querySelector('.friendly-message').textContent).toBe('Something went wrong');
        expect(element.shadowRoot.querySelector('.messages')).toBeNull();
        await expect(element).toBeAccessible();
    });
});
