/**
 * Jest mock of lightning/platformShowToastEvent: a real bubbling, composed CustomEvent named
 * `lightning__showtoast`, so tests listen for it on the component and read `event.detail`.
 */
export const ShowToastEventName = 'lightning__showtoast';

export class ShowToastEvent extends CustomEvent {
    constructor(toast) {
        super(ShowToastEventName, {
            composed: true,
            cancelable: true,
            bubbles: true,
            detail: toast
        });
    }
}
