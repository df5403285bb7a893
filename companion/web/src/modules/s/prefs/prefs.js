/**
 * Per-user preferences of the web app kept in the browser (localStorage): the columns chosen for each object's
 * record list. The key names the signed-in user by a fingerprint of the API token (never the token itself), so
 * two people sharing a browser each keep their own choice, and a new token starts from the defaults.
 */
import { getToken } from 's/api';

/** FNV-1a over the token: a short, stable fingerprint (not a secret, only a name for the storage key). */
function fingerprint(text) {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
        h2 = Math.imul(h2 ^ c, 0x811c9dc5) >>> 0;
    }
    return `${h1.toString(16)}${h2.toString(16)}`;
}

function key(object) {
    return `statisfy.columns.${fingerprint(getToken() || 'anonymous')}.${object}`;
}

/** The column keys this user chose for the object, or null when they did not choose. */
export function loadColumns(object) {
    try {
        const raw = window.localStorage.getItem(key(object));
        const parsed = raw ? JSON.parse(raw) : null;
        return Array.isArray(parsed) ? parsed.filter((k) => typeof k === 'string') : null;
    } catch (e) {
        return null;
    }
}

/** Keeps this user's column choice for the object (null goes back to the defaults). */
export function saveColumns(object, keys) {
    try {
        if (keys) window.localStorage.setItem(key(object), JSON.stringify(keys));
        else window.localStorage.removeItem(key(object));
    } catch (e) {
        // Storage full or disabled: the choice lasts for this page only.
    }
}
