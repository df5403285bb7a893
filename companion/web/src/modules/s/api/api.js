/**
 * The web app's client of the companion REST API v1 (ARCHITECTURE §4). The API token lives in sessionStorage
 * (gone when the tab closes); every call sends it as a bearer token. Errors are thrown as {@link ApiError}
 * carrying the API's `{"error":{"code","message","details"}}`.
 */

const TOKEN_KEY = 'statisfy.apiToken';
const listeners = new Set();

/** An error answered by the API (or a network failure, status 0). */
export class ApiError extends Error {
    constructor(status, code, message, details) {
        super(message);
        this.name = 'ApiError';
        this.status = status;
        this.code = code;
        this.details = details || [];
    }
}

/** The token of this tab, or null. */
export function getToken() {
    try {
        return window.sessionStorage.getItem(TOKEN_KEY);
    } catch (e) {
        return null;
    }
}

/** Keeps the token for this tab (null forgets it) and tells the listeners. */
export function setToken(token) {
    if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
    else window.sessionStorage.removeItem(TOKEN_KEY);
    listeners.forEach((l) => l(token));
}

/** Calls `fn(token)` whenever the token changes (sign-in, sign-out, 401). Returns an unsubscribe function. */
export function onTokenChange(fn) {
    listeners.add(fn);
    return () => listeners.delete(fn);
}

/**
 * One API call. `body` is sent as JSON. Resolves with the parsed JSON (or null for 204).
 * A 401 forgets the token so the app returns to the sign-in page.
 */
export async function request(method, path, body, tokenOverride) {
    const token = tokenOverride || getToken();
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
        response = await fetch(`/api/v1${path}`, {
            method,
            headers,
            body: body === undefined ? undefined : JSON.stringify(body)
        });
    } catch (e) {
        throw new ApiError(0, 'NETWORK', `The companion cannot be reached: ${e.message}`);
    }
    const text = await response.text();
    let json = null;
    if (text) {
        try {
            json = JSON.parse(text);
        } catch (e) {
            json = null;
        }
    }
    if (!response.ok) {
        const err = (json && json.error) || {};
        if (response.status === 401 && !tokenOverride) setToken(null);
        throw new ApiError(
            response.status,
            err.code || `HTTP_${response.status}`,
            err.message || `${method} ${path} answered ${response.status}`,
            err.details
        );
    }
    return json;
}

/** The items of a list answer, whether the API wraps them (`{items}`) or not. */
export function items(answer, key) {
    if (Array.isArray(answer)) return answer;
    if (!answer) return [];
    if (key && Array.isArray(answer[key])) return answer[key];
    for (const k of ['items', 'data', 'records', 'objects', 'fields', 'errors', 'conflicts', 'runs', 'history']) {
        if (Array.isArray(answer[k])) return answer[k];
    }
    return [];
}

const enc = encodeURIComponent;

/** The API calls the pages use. */
export const client = {
    objects: async () => items(await request('GET', '/objects'), 'objects'),
    updateObject: (object, change) => request('PATCH', `/objects/${enc(object)}`, change),
    fields: async (object) => items(await request('GET', `/objects/${enc(object)}/fields`), 'fields'),
    salesforceFields: async (object) =>
        items(await request('GET', `/objects/${enc(object)}/salesforce-fields`), 'fields'),
    createField: (object, field) => request('POST', `/objects/${enc(object)}/fields`, field),
    updateField: (object, key, change) => request('PATCH', `/objects/${enc(object)}/fields/${enc(key)}`, change),
    records: (object, query) => {
        const params = new URLSearchParams();
        Object.keys(query || {}).forEach((k) => {
            const v = query[k];
            if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
        });
        const qs = params.toString();
        return request('GET', `/objects/${enc(object)}/records${qs ? `?${qs}` : ''}`);
    },
    record: (object, id) => request('GET', `/objects/${enc(object)}/records/${enc(id)}`),
    editRecord: (object, id, fields) => request('PATCH', `/objects/${enc(object)}/records/${enc(id)}`, { fields }),
    syncNow: (objectApiName) => request('POST', '/sync', objectApiName ? { objectApiName } : {}),
    syncStatus: () => request('GET', '/sync/status'),
    syncRuns: async () => items(await request('GET', '/sync/runs?limit=10'), 'runs'),
    syncErrors: async () => items(await request('GET', '/sync/errors?limit=50'), 'errors'),
    retryError: (editId) => request('POST', `/sync/errors/${enc(editId)}/retry`, {}),
    keepSalesforce: (editId) => request('POST', `/sync/errors/${enc(editId)}/keep-salesforce`, {}),
    discardEdit: (editId) => request('POST', `/sync/errors/${enc(editId)}/discard`, {}),
    /** A record's field history, or null when the companion answers 404 (no history route in this version). */
    history: async (object, id) => {
        try {
            return items(await request('GET', `/objects/${enc(object)}/records/${enc(id)}/history`), 'history');
        } catch (e) {
            if (e.status === 404) return null;
            throw e;
        }
    },
    conflicts: async () => items(await request('GET', '/conflicts?status=open&limit=50'), 'conflicts'),
    resolveConflict: (id, resolution) => request('POST', `/conflicts/${enc(id)}/resolve`, { resolution }),
    me: (token) => request('GET', '/sync/status', undefined, token)
};
