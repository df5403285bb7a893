/**
 * Display helpers shared by the pages: values by field type, dates, object labels, sync states.
 */

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const currencyFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });

/** A value as text for a cell. */
export function formatValue(value, type) {
    if (value === null || value === undefined || value === '') return '';
    const t = String(type || '').toLowerCase();
    if (t === 'boolean' || t === 'checkbox') return value ? 'Yes' : 'No';
    if (t === 'currency' && typeof value === 'number') return currencyFormat.format(value);
    if (t === 'percent' && typeof value === 'number') return `${numberFormat.format(value)}%`;
    if (typeof value === 'number') return numberFormat.format(value);
    if (t === 'datetime' && typeof value === 'string') return formatDateTime(value);
    if (Array.isArray(value)) return value.join('; ');
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
}

/** A timestamp as "Nov 29, 2026, 1:34 AM", or '' / 'Never'. */
export function formatDateTime(iso, never) {
    if (!iso) return never || '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    return d.toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
}

/** "3 minutes ago" style. */
export function formatAgo(iso) {
    if (!iso) return 'Never';
    const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
    if (seconds < 5) return 'just now';
    if (seconds < 60) return `${seconds} seconds ago`;
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
    const hours = Math.round(minutes / 60);
    if (hours < 48) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
    return formatDateTime(iso);
}

/** The name Statisfy shows for a standard object (Contact is "People"). */
export function objectLabel(object) {
    if (!object) return '';
    const byName = { Account: 'Accounts', Opportunity: 'Opportunities', Contact: 'People' };
    return byName[object.objectApiName] || object.displayName || object.objectApiName;
}

/** Route segment for an object. */
export function objectSlug(objectApiName) {
    return encodeURIComponent(objectApiName);
}

/** Sync state → label and badge class. */
export const SYNC_STATES = {
    synced: { label: 'Synced', className: 'slds-badge slds-theme_success', icon: 'success' },
    pending: { label: 'Pending', className: 'slds-badge slds-theme_warning', icon: 'clock' },
    failed: { label: 'Failed', className: 'slds-badge slds-theme_error', icon: 'error' },
    conflict: { label: 'Conflict', className: 'slds-badge slds-badge_inverse', icon: 'warning' }
};

/** Input type for a field type. */
export function inputType(type) {
    const t = String(type || '').toLowerCase();
    if (['double', 'currency', 'percent', 'int', 'long', 'number'].includes(t)) return 'number';
    if (t === 'date') return 'date';
    if (t === 'datetime') return 'datetime-local';
    if (t === 'email') return 'email';
    if (t === 'boolean' || t === 'checkbox') return 'checkbox';
    return 'text';
}

/** Converts what an input holds to the JSON value the API expects for the type. */
export function parseInput(raw, type, checked) {
    const t = String(type || '').toLowerCase();
    if (t === 'boolean' || t === 'checkbox') return !!checked;
    if (raw === '' || raw === null || raw === undefined) return null;
    if (['double', 'currency', 'percent', 'int', 'long', 'number'].includes(t)) {
        const n = Number(raw);
        return Number.isNaN(n) ? raw : n;
    }
    if (t === 'datetime') return new Date(raw).toISOString();
    return raw;
}

/** What an input shows for a value. */
export function toInput(value, type) {
    if (value === null || value === undefined) return '';
    if (String(type).toLowerCase() === 'datetime') {
        const d = new Date(value);
        if (!Number.isNaN(d.getTime())) {
            const pad = (n) => String(n).padStart(2, '0');
            return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
        }
    }
    return String(value);
}

/** Salesforce's own label of a field type (describe types and the types of Statisfy fields), e.g. "Lookup". */
export function typeLabel(type) {
    const t = String(type || '').toLowerCase();
    return (
        {
            text: 'Text',
            string: 'Text',
            textarea: 'Text Area',
            email: 'Email',
            phone: 'Phone',
            url: 'URL',
            number: 'Number',
            double: 'Number',
            int: 'Number',
            long: 'Number',
            currency: 'Currency',
            percent: 'Percent',
            date: 'Date',
            datetime: 'Date/Time',
            time: 'Time',
            boolean: 'Checkbox',
            checkbox: 'Checkbox',
            picklist: 'Picklist',
            multipicklist: 'Picklist (Multi-Select)',
            reference: 'Lookup',
            id: 'Record ID',
            combobox: 'Picklist (editable)',
            encryptedstring: 'Text (Encrypted)'
        }[t] || type
    );
}
