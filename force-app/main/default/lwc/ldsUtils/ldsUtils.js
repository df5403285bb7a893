/**
 * Shared helpers for Lightning Data Service and Apex errors. Every component of the Statisfy app
 * turns errors into display text through {@link reduceErrors} and shows them in `c-error-panel`.
 */

/**
 * Collects the messages of one error of any shape a component can receive:
 * an Apex `AuraHandledException` (`body.message`), a UI API error (`body` array, `body.output.errors`,
 * `body.pageErrors`, `body.fieldErrors`), a JavaScript `Error`, a plain string, or a fetch-style
 * `{ status, statusText }`.
 * @param {*} error
 * @returns {string[]}
 */
function messagesOf(error) {
    if (error === null || error === undefined) {
        return [];
    }
    if (typeof error === 'string') {
        return [error];
    }
    const body = error.body;
    if (Array.isArray(body)) {
        return body.map((entry) => entry && entry.message).filter(Boolean);
    }
    if (body && typeof body === 'object') {
        const messages = [];
        if (body.output) {
            (body.output.errors || []).forEach((entry) => messages.push(entry.message));
            Object.values(body.output.fieldErrors || {}).forEach((list) =>
                list.forEach((entry) => messages.push(entry.message))
            );
        }
        (body.pageErrors || []).forEach((entry) => messages.push(entry.message));
        Object.values(body.fieldErrors || {}).forEach((list) => list.forEach((entry) => messages.push(entry.message)));
        if (messages.length === 0 && typeof body.message === 'string') {
            messages.push(body.message);
        }
        if (messages.filter(Boolean).length > 0) {
            return messages.filter(Boolean);
        }
    }
    if (typeof body === 'string' && body) {
        return [body];
    }
    if (typeof error.message === 'string' && error.message) {
        return [error.message];
    }
    if (error.statusText) {
        return [error.status ? `${error.status} ${error.statusText}` : error.statusText];
    }
    return ['Unknown error'];
}

/**
 * Reduces one or more errors into a flat list of distinct messages.
 * @param {*|Array<*>} errors a single error or an array of errors (LDS, Apex, JavaScript or string)
 * @returns {string[]} the messages, in order, without duplicates or blanks
 */
export function reduceErrors(errors) {
    const list = Array.isArray(errors) ? errors : [errors];
    const seen = new Set();
    const result = [];
    list.flatMap(messagesOf).forEach((message) => {
        if (message && !seen.has(message)) {
            seen.add(message);
            result.push(message);
        }
    });
    return result;
}
