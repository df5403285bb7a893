import { LightningElement, api } from 'lwc';

let seq = 0;

/** SLDS toasts at the top of the page (`show({variant, title, message})`); they close after a few seconds. */
export default class Toasts extends LightningElement {
    static renderMode = 'light';
    list = [];

    @api
    show({ variant = 'info', title = '', message = '', sticky = false }) {
        const id = ++seq;
        const icon =
            { success: 'utility:success', error: 'utility:error', warning: 'utility:warning' }[variant] ||
            'utility:info';
        this.list = [
            ...this.list,
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
