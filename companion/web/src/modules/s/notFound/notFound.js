import { LightningElement, api } from 'lwc';

/** The page for a route or object the app does not know: what was asked for and where to go instead. */
export default class NotFound extends LightningElement {
    static renderMode = 'light';
    /** What was not found ("Page", "Object Foo__c"). */
    @api what = 'This page';
    /** Why, in one sentence. */
    @api detail = '';
}
