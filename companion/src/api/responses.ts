/**
 * The API's answers as zod schemas: the OpenAPI document's `components.schemas` are generated from them
 * (`z.toJSONSchema`, openapi.ts) and the response types are `z.infer` of them, so the document, the types and the
 * tests that validate real answers (test/api/openapi.test.ts) share one source. An answer may carry more properties
 * than listed (clients ignore unknown ones); every listed one is checked.
 */
import { z } from 'zod';
import { CONFLICT_POLICIES, REASONS } from '../../../contracts/sync-rules';

const str = z.string();
const nstr = z.string().nullable();
const bool = z.boolean();
const int = z.number().int();
const dt = z.iso.datetime({ offset: true });
const ndt = dt.nullable();
const anyJson = z.unknown();
const reason = z.enum(Object.values(REASONS) as [string, ...string[]]).nullable();
const policy = z.enum(CONFLICT_POLICIES as [string, ...string[]]);
const role = z.enum(['admin', 'editor', 'viewer']);

const ErrorBody = z.object({
    error: z.object({
        code: str,
        message: str,
        details: z.array(z.object({ path: str.optional(), code: str.optional(), message: str })).optional()
    })
});
const ObjectView = z.object({
    objectApiName: str,
    displayName: str,
    kind: z.enum(['standard', 'custom']),
    syncToSalesforce: bool,
    enabled: bool,
    recordFilter: nstr,
    conflictPolicy: policy,
    updatedAt: dt
});
const Field = z.object({
    key: str,
    displayName: str,
    salesforceField: nstr,
    origin: z.enum(['salesforce', 'statisfy']),
    editable: bool,
    active: bool,
    type: str,
    picklistValues: z.array(str).nullable(),
    pushesToSalesforce: bool,
    reason,
    updatedAt: dt
});
const RecordSync = z.object({
    state: z.enum(['synced', 'pending', 'failed', 'conflict']),
    pendingFields: z.array(str),
    lastError: z.object({ field: str, code: nstr, message: nstr, at: dt }).nullable()
});
const RecordView = z.object({
    id: str,
    objectApiName: str,
    fields: z.record(z.string(), anyJson),
    sync: RecordSync,
    systemModstamp: ndt,
    updatedAt: dt,
    salesforceValues: z
        .record(z.string(), anyJson)
        .optional()
        .describe('Only in GET /objects/:object/records/:id: field key → the value Salesforce last had')
});
const FieldEditOutcome = z.discriminatedUnion('status', [
    z.object({ status: z.literal('queued'), value: anyJson, editId: str, salesforceField: str }),
    z.object({ status: z.literal('local'), value: anyJson, reason })
]);
const Conflict = z.object({
    id: str,
    objectApiName: str,
    recordId: str,
    field: str,
    salesforceField: nstr,
    statisfyValue: anyJson,
    salesforceValue: anyJson,
    baseValue: anyJson,
    policy: str,
    status: z.enum(['open', 'resolved']),
    resolution: nstr,
    editId: nstr,
    detectedAt: dt,
    resolvedAt: ndt,
    resolvedBy: nstr
});
const Token = z.object({ id: str, name: str, role, createdAt: dt, lastUsedAt: ndt, revokedAt: ndt });

/** Every named answer shape; `components.schemas` of the document, in this order. */
export const responseSchemas = {
    Error: ErrorBody,
    Object: ObjectView,
    ObjectUpdate: z.object({
        object: ObjectView,
        message: nstr.describe('"Writeback to Salesforce is enabled for <object>" when switched on')
    }),
    Field,
    RecordSync,
    Record: RecordView,
    FieldEditOutcome,
    EditResult: z.object({
        id: str,
        objectApiName: str,
        fields: z.record(z.string(), FieldEditOutcome),
        record: RecordView
    }),
    Conflict,
    ConflictResolution: z.object({
        conflict: Conflict,
        outcome: z.object({
            status: z.enum(['applied', 'queued', 'local']),
            value: anyJson,
            editId: str.optional(),
            reason: reason.optional()
        })
    }),
    SyncError: z.object({
        editId: str,
        objectApiName: str,
        recordId: str,
        field: str,
        salesforceField: str,
        value: anyJson,
        errorCode: nstr,
        message: nstr,
        attempts: int,
        occurredAt: dt
    }),
    SyncStatus: z.object({
        connection: z.object({ state: str, message: nstr, orgName: str, sfOrgId: nstr, instanceUrl: nstr }),
        lastInboundAt: ndt,
        lastOutboundAt: ndt,
        lastFullSyncAt: ndt,
        pendingCount: int,
        inFlightCount: int,
        failedCount: int,
        conflictCount: int,
        apiUsage: z.object({ callsLast24h: int, used: int.nullable(), max: int.nullable() }),
        engine: z.record(z.string(), anyJson).nullable(),
        objects: z.array(
            z.object({
                objectApiName: str,
                enabled: bool,
                syncToSalesforce: bool,
                pendingCount: int,
                failedCount: int,
                conflictCount: int,
                lastOutboundAt: ndt,
                lastFullSyncAt: ndt
            })
        )
    }),
    SyncAccepted: z.object({ accepted: bool, objectApiName: nstr, kind: str, runId: nstr }),
    SyncRun: z.object({
        id: str,
        kind: str,
        objectApiName: nstr,
        status: str,
        startedAt: dt,
        finishedAt: ndt,
        recordsIn: int,
        recordsOut: int,
        apiCalls: int,
        error: nstr
    }),
    EditRetry: z.object({ editId: str, status: z.literal('pending') }),
    EditGivenUp: z.object({ editId: str, status: str, field: str }),
    SalesforceField: z.object({
        apiName: str,
        label: str,
        type: str,
        updateable: bool,
        required: bool.optional(),
        length: int.nullable().optional(),
        precision: int.nullable().optional(),
        scale: int.nullable().optional(),
        picklistValues: z
            .array(z.object({ value: str, label: str }))
            .nullable()
            .optional()
    }),
    Token,
    IssuedToken: z.object({ token: str.describe('shown once; store it now'), apiToken: Token }),
    AuditEntry: z.object({ id: str, actor: str, action: str, target: str, before: anyJson, after: anyJson, at: dt }),
    Health: z.object({ status: str }),
    Org: z.object({
        id: str,
        name: str,
        authKind: z.enum(['jwt', 'oauth']),
        loginUrl: str,
        instanceUrl: nstr,
        sfOrgId: nstr,
        username: nstr,
        namespace: str,
        status: z.enum(['new', 'connected', 'disconnected', 'error', 'org_mismatch']),
        statusMessage: nstr,
        connected: bool
    }),
    Readiness: z.object({
        ready: bool,
        checks: z.record(z.string(), z.object({ ok: bool, detail: str.optional() }))
    })
} satisfies Record<string, z.ZodType>;

/** A name of {@link responseSchemas}. */
export type ResponseName = keyof typeof responseSchemas;

/** The type of a named answer. */
export type ResponseOf<N extends ResponseName> = z.infer<(typeof responseSchemas)[N]>;

/** The named answer schema (the document refers to it as `#/components/schemas/<name>`). */
export function ref<N extends ResponseName>(name: N): (typeof responseSchemas)[N] {
    return responseSchemas[name];
}

/** `{ items: [<name>…], …extra }`, the shape of every list answer. */
export function list<N extends ResponseName, E extends Record<string, z.ZodType> = Record<never, z.ZodType>>(
    item: N,
    extra?: E
) {
    return z.object({ items: z.array(responseSchemas[item]), ...(extra ?? ({} as E)) });
}
