import { LightningElement, api } from 'lwc';
import { reduceErrors } from 'c/ldsUtils';

/**
 * Shows errors of any shape (Apex, LDS, JavaScript, string) as an SLDS error alert.
 * Every Statisfy component reports failures through this panel.
 */
export default class ErrorPanel extends LightningElement {
    /** A sentence saying what failed, shown above the messages. */
    @api friendlyMessage = 'Something went wrong';

    /** One error or an array of errors; reduced with `reduceErrors`. */
    @api errors;

    get messages() {
        return reduceErrors(this.errors);
    }

    get hasMessages() {
        return this.messages.length > 0;
    }
}
