/**
 * JSON Schemas of the API's answers (for the OpenAPI document).
 */
import type { JsonSchema } from './route';

const str = { type: 'string' };
const nstr = { type: ['string', 'null'] };
const bool = { type: 'boolean' };
const int = { type: 'integer' };
const dt = { type: 'string', format: 'date-time' };
const ndt = { type: ['string', 'null'], format: 'date-time' };
const anyJson = {};
const reasonEnum = {
    type: ['string', 'null'],
    enum: [
        'Sync to Salesforce is off for this object',
        'Field is not Editable',
        'No Salesforce field API name: the field stays in Statisfy',
        'Mapping is inactive',
        null
    ]
};

const obj = (properties: Record<string, unknown>, required = Object.keys(properties)): JsonSchema => ({
    type: 'object',
    properties,
    required
});
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const list = (item: string, extra: Record<string, unknown> = {}): JsonSchema =>
    obj({ items: { type: 'array', items: ref(item) }, ...extra });

/** components.schemas of the document. */
export const schemas: Record<string, JsonSchema> = {
    Error: obj({
        error: obj(
            {
                code: str,
                message: str,
                details: { type: 'array', items: obj({ path: str, code: str, message: str }, ['message']) }
            },
            ['code', 'message']
        )
    }),
    Object: obj({
        objectApiName: str,
        displayName: str,
        kind: { enum: ['standard', 'custom'] },
        syncToSalesforce: bool,
        enabled: bool,
        recordFilter: nstr,
        conflictPolicy: { enum: ['Latest_Wins', 'Salesforce_Wins', 'Statisfy_Wins', 'Manual'] },
        updatedAt: dt
    }),
    ObjectUpdate: obj({
        object: ref('Object'),
        message: { ...nstr, description: '"Writeback to Salesforce is enabled for <object>" when switched on' }
    }),
    Field: obj({
        key: str,
        displayName: str,
        salesforceField: nstr,
        origin: { enum: ['salesforce', 'statisfy'] },
        editable: bool,
        active: bool,
        type: str,
        picklistValues: { type: ['array', 'null'], items: str },
        pushesToSalesforce: bool,
        reason: reasonEnum,
        updatedAt: dt
    }),
    RecordSync: obj({
        state: { enum: ['synced', 'pending', 'failed', 'conflict'] },
        pendingFields: { type: 'array', items: str },
        lastError: { anyOf: [{ type: 'null' }, obj({ field: str, code: nstr, message: nstr, at: dt })] }
    }),
    Record: obj(
        {
            id: str,
            objectApiName: str,
            fields: { type: 'object', additionalProperties: anyJson },
            sync: ref('RecordSync'),
            systemModstamp: ndt,
            updatedAt: dt,
            // Only in GET /objects/:object/records/:id: field key → the value Salesforce last had.
            salesforceValues: { type: 'object', additionalProperties: anyJson }
        },
        ['id', 'objectApiName', 'fields', 'sync', 'systemModstamp', 'updatedAt']
    ),
    FieldEditOutcome: {
        oneOf: [
            obj({ status: { const: 'queued' }, value: anyJson, editId: str, salesforceField: str }),
            obj({ status: { const: 'local' }, value: anyJson, reason: reasonEnum })
        ]
    },
    EditResult: obj({
        id: str,
        objectApiName: str,
        fields: { type: 'object', additionalProperties: ref('FieldEditOutcome') },
        record: ref('Record')
    }),
    Conflict: obj({
        id: str,
        objectApiName: str,
        recordId: str,
        field: str,
        salesforceField: nstr,
        statisfyValue: anyJson,
        salesforceValue: anyJson,
        baseValue: anyJson,
        policy: str,
        status: { enum: ['open', 'resolved'] },
        resolution: nstr,
        editId: nstr,
        detectedAt: dt,
        resolvedAt: ndt,
        resolvedBy: nstr
    }),
    ConflictResolution: obj({
        conflict: ref('Conflict'),
        outcome: obj(
            { status: { enum: ['applied', 'queued', 'local'] }, value: anyJson, editId: str, reason: reasonEnum },
            ['status', 'value']
        )
    }),
    SyncError: obj({
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
    SyncStatus: obj({
        connection: obj({ state: str, message: nstr, orgName: str, sfOrgId: nstr, instanceUrl: nstr }),
        lastInboundAt: ndt,
        lastOutboundAt: ndt,
        lastFullSyncAt: ndt,
        pendingCount: int,
        inFlightCount: int,
        failedCount: int,
        conflictCount: int,
        apiUsage: obj({ callsLast24h: int, used: { type: ['integer', 'null'] }, max: { type: ['integer', 'null'] } }),
        engine: { type: ['object', 'null'] },
        objects: {
            type: 'array',
            items: obj({
                objectApiName: str,
                enabled: bool,
                syncToSalesforce: bool,
                pendingCount: int,
                failedCount: int,
                conflictCount: int,
                lastOutboundAt: ndt,
                lastFullSyncAt: ndt
            })
        }
    }),
    SyncAccepted: obj({ accepted: bool, objectApiName: nstr, kind: str, runId: nstr }),
    Token: obj({
        id: str,
        name: str,
        role: { enum: ['admin', 'editor', 'viewer'] },
        createdAt: dt,
        lastUsedAt: ndt,
        revokedAt: ndt
    }),
    IssuedToken: obj({ token: { ...str, description: 'shown once; store it now' }, apiToken: ref('Token') }),
    AuditEntry: obj({ id: str, actor: str, action: str, target: str, before: anyJson, after: anyJson, at: dt }),
    Health: obj({ status: str }),
    Org: obj({
        id: str,
        name: str,
        authKind: { enum: ['jwt', 'oauth'] },
        loginUrl: str,
        instanceUrl: nstr,
        sfOrgId: nstr,
        username: nstr,
        namespace: str,
        status: { enum: ['new', 'connected', 'disconnected', 'error', 'org_mismatch'] },
        statusMessage: nstr,
        connected: bool
    }),
    Readiness: obj({
        ready: bool,
        checks: { type: 'object', additionalProperties: obj({ ok: bool, detail: str }, ['ok']) }
    })
};

export { ref };
