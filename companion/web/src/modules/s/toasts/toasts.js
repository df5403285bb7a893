import { LightningElement, api } from 'lwc';

let seq = 0;

/**
 * SLDS toasts in the sticky header, in the page's flow (`show({variant, title, message})`): they push the content
 * down rather than cover it, at most three at a time, and close after a few seconds (errors after ten).
 */
export default class Toasts extends LightningElement {
    static renderMode = 'light';
    list = [];

    @api
    show({ variant = 'info', title = '', message = '', sticky = false }) {
        const id = ++seq;
        const icon =
            { success: 'utility:success', error: 'utility:error', warning: 'utility:warning' }[variant] ||
            'utility:info';
        // At most three at once (the oldest goes first), so they never push the page far down.
        this.list = [
            ...this.list.slice(-2),
            { id, title, message, icon, className: `slds-notify slds-notify_toast slds-theme_${variant}` }
        ];
        if (!sticky) setTimeout(() => this.dismiss(id), variant === 'error' ? 10000 : 5000);
    }

    dismiss(id) {
        this.list = this.list.filter((t) => t.id !== id);
    }

    handleClose(event) {
        this.dismiss(Number(event.currentTarget.dataset.id));
    }
}
