import { LightningElement, api } from 'lwc';

/**
 * An error in place of content that could not be loaded: what failed, the API's message, and "Try again"
 * (fires `retry`). Shown instead of the empty state, never beside it.
 */
export default class ErrorState extends LightningElement {
    static renderMode = 'light';
    /** What could not be loaded ("the records of Accounts"). */
    @api what = 'this page';
    /** The API's message. */
    @api message = '';

    get title() {
        return `Could not load ${this.what}`;
    }

    handleRetry() {
        this.dispatchEvent(new CustomEvent('retry'));
    }
}
