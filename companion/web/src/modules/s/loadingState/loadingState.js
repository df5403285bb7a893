import { LightningElement, api } from 'lwc';

/**
 * A loading placeholder: grey bars where rows will appear, announced once as "Loading <what>…" to screen readers,
 * so a page never claims "0 fields" or "No records yet" before it knows.
 */
export default class LoadingState extends LightningElement {
    static renderMode = 'light';
    /** What is loading ("records", "fields"). */
    @api what = 'content';
    /** How many placeholder rows. */
    @api rows = 4;

    get bars() {
        return Array.from({ length: Number(this.rows) || 4 }, (_, i) => ({
            key: i,
            style: `width: ${92 - ((i * 17) % 35)}%`
        }));
    }

    get text() {
        return `Loading ${this.what}…`;
    }
}
