/**
 * Request shapes of REST API v1 (zod). The router validates with them and the OpenAPI document is generated from
 * them, so the two cannot drift.
 */
import { z } from 'zod';
import { STATISFY_FIELD_TYPES } from '../../../contracts/field-types';
import { CONFLICT_POLICIES } from '../../../contracts/sync-rules';

export const objectParam = z.object({
    object: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'expected an object API name such as Account or Success_Plan__c')
});
export const fieldParam = objectParam.extend({
    key: z.string().regex(/^[A-Za-z][A-Za-z0-9_.]{0,160}$/, 'expected a field key such as Account.Name')
});
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** Salesforce's 3-character case-safe suffix of a 15-character id (one character per 5, a bit per capital). */
export function idSuffix(id15: string): string {
    let suffix = '';
    for (let chunk = 0; chunk < 3; chunk++) {
        let flags = 0;
        for (let i = 0; i < 5; i++) {
            const c = id15.charCodeAt(chunk * 5 + i);
            if (c >= 65 && c <= 90) flags |= 1 << i;
        }
        suffix += SUFFIX_ALPHABET[flags];
    }
    return suffix;
}

/** A 15-character id, or an 18-character one whose last three characters are the suffix of the first fifteen. */
export function isSalesforceId(id: string): boolean {
    if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(id)) return false;
    return id.length === 15 || idSuffix(id.slice(0, 15)) === id.slice(15).toUpperCase();
}

export const recordParam = objectParam.extend({
    id: z
        .string()
        .regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'expected a 15 or 18 character Salesforce record id')
        .refine(isSalesforceId, 'not a Salesforce record id: its last 3 characters do not match the first 15')
});
export const idParam = z.object({ id: z.string().min(1).max(64) });

const limit = (max: number, dflt: number) =>
    z.coerce.number({ message: 'expected a number' }).int('expected a whole number').min(1).max(max).default(dflt);
const offset = z.coerce
    .number({ message: 'expected a number' })
    .int('expected a whole number')
    .min(0)
    .max(1_000_000)
    .optional();

export const pageQuery = z.strictObject({ limit: limit(500, 100), offset: offset.default(0) });

export const recordsQuery = z.strictObject({
    limit: limit(500, 50),
    cursor: z.string().max(2000).optional().describe('nextCursor of the previous page'),
    offset: offset.describe('rows to skip (instead of cursor)'),
    q: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe('case-insensitive text in any field value, or an exact record id'),
    sort: z
        .string()
        .regex(/^[-+]?[A-Za-z][A-Za-z0-9_.]*$/, 'expected id or a field key, optionally prefixed with - for descending')
        .optional()
        .describe('id or a field key; prefix - for descending')
});

export const conflictsQuery = pageQuery.extend({
    status: z.enum(['open', 'resolved']).optional(),
    object: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'expected an object API name such as Account')
        .optional()
});

/** Plain-word limits (zod's defaults read "Too big: expected string to have <=255 characters"). */
const displayName = z
    .string({ message: 'Display name in Statisfy must be text' })
    .max(255, 'Display name in Statisfy can be at most 255 characters');

export const objectPatch = z
    .strictObject({
        syncToSalesforce: z.boolean().optional(),
        displayName: displayName.optional(),
        enabled: z.boolean().optional(),
        recordFilter: z.string().max(4000).nullable().optional(),
        conflictPolicy: z.enum(CONFLICT_POLICIES).optional()
    })
    .refine((b) => Object.keys(b).length > 0, {
        message: 'give at least one of syncToSalesforce, displayName, enabled, recordFilter, conflictPolicy'
    });

export const fieldCreate = z.strictObject({
    key: z
        .string({ message: 'Field name is required' })
        .min(1, 'Field name is required')
        .max(160, 'Field name can be at most 80 characters (after the object name)'),
    displayName,
    type: z.enum(STATISFY_FIELD_TYPES, { message: `expected one of ${STATISFY_FIELD_TYPES.join(', ')}` }),
    editable: z.boolean(),
    salesforceField: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'expected a Salesforce field API name such as Amount or Health__c')
        .nullable()
        .optional()
});

export const fieldPatch = z
    .strictObject({
        displayName: displayName.optional(),
        salesforceField: z
            .string()
            .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'expected a Salesforce field API name such as Amount or Health__c')
            .nullable()
            .optional(),
        editable: z.boolean().optional()
    })
    .refine((b) => Object.keys(b).length > 0, {
        message: 'give at least one of displayName, salesforceField, editable'
    });

export const recordPatch = z.strictObject({
    fields: z
        .record(z.string().min(1).max(160), z.unknown())
        .refine((f) => Object.keys(f).length > 0, { message: 'give at least one field' })
        .refine((f) => Object.keys(f).length <= 200, { message: 'at most 200 fields per edit' })
        .describe('field key → new value (null clears)')
});

export const syncRequest = z.strictObject({
    objectApiName: z
        .string()
        .regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/, 'expected an object API name such as Account')
        .optional(),
    kind: z.enum(['incremental', 'full']).default('incremental')
});

export const resolveBody = z.discriminatedUnion('resolution', [
    z.strictObject({ resolution: z.literal('statisfy') }),
    z.strictObject({ resolution: z.literal('salesforce') }),
    z.strictObject({ resolution: z.literal('value'), value: z.unknown() })
]);

export const tokenCreate = z.strictObject({
    name: z.string().min(1).max(100),
    role: z.enum(['admin', 'editor', 'viewer'])
});
