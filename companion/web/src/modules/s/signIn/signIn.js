import { LightningElement } from 'lwc';
import { client, setToken } from 's/api';

/** Where "Connect Salesforce" starts the OAuth web-server flow (a route of the companion). */
export const CONNECT_URL = '/oauth/salesforce/start';

/**
 * Sign in with an API token (checked against the API before it is kept in sessionStorage), or connect a
 * real Salesforce org through the OAuth web-server flow.
 */
export default class SignIn extends LightningElement {
    static renderMode = 'light';
    error = '';
    busy = false;
    connectUrl = CONNECT_URL;

    get inputClass() {
        return `slds-form-element${this.error ? ' slds-has-error' : ''}`;
    }

    get describedBy() {
        return this.error ? 'signin-error' : 'signin-help';
    }

    async handleSubmit(event) {
        event.preventDefault();
        const input = this.querySelector('input[name="token"]');
        const token = input.value.trim();
        if (!token) {
            this.error = 'Enter your API token';
            input.focus();
            return;
        }
        this.busy = true;
        this.error = '';
        try {
            await client.me(token);
            setToken(token);
        } catch (e) {
            this.error = e.status === 401 ? 'This API token is not valid (unknown or revoked)' : e.message;
            input.focus();
        } finally {
            this.busy = false;
        }
    }
}
