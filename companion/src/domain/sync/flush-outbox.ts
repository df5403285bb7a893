/**
 * The outbound flusher of one org. One flush: claim due edits (`FOR UPDATE SKIP LOCKED`, status in_flight, in a
 * short transaction) → pre-write conflict check → plan (merge per record, collections of 200, five per composite,
 * Bulk 2.0 for very large objects) → send → write each record's result back in one transaction.
 *
 * Crash safety: an edit found in_flight when the org's sync starts was claimed by a process that died mid-flush.
 * It is re-sent only if Salesforce does not already hold its value (read with one SOQL per ≤200 records), so
 * nothing is lost and nothing is sent twice.
 */
import type { DataSource } from 'typeorm';
import type { Json, PendingEdit, RecordRow } from '../../data/types';
import type { CollectionOutcome, SalesforceGateway } from '../../salesforce/gateway';
import type { CircuitBreaker } from './rules/circuit-breaker';
import { classifyRecordResult, classifyRequestError, nextRetry, Outcome, RecordResult } from './rules/classify';
import type { ConflictPolicy } from '../../../../contracts/sync-rules';
import { decideConflict } from './rules/conflict';
import { hasKey, pick } from './rules/keys';
import { sameValue } from './rules/values';
import { planFlush, RecordWrite } from './rules/plan';
import { createRepositories, type EditUpdate, type NewConflict } from '../../data';

/** What one flush did. */
export interface FlushStats {
    claimed: number;
    sent: number;
    succeeded: number;
    failed: number;
    retried: number;
    conflicts: number;
    already: number;
    superseded: number;
    apiCalls: number;
    /** Edits that failed for good in this flush (for Sync_Error__c). */
    failedEdits: PendingEdit[];
    /** True when the circuit was open and nothing was sent. */
    circuitOpen: boolean;
    /** Milliseconds from each succeeded edit's creation to its commit in Salesforce (outbound lag). */
    lagsMs: number[];
}

/** Flusher options. */
export interface FlusherOptions {
    /** Most edits claimed per flush. */
    claimLimit?: number;
    /** Records of one object above which Bulk 2.0 ingest is used. */
    bulkThreshold?: number;
    /** `known`: check conflicts against the Salesforce values the inbound sync knows (no API call);
     *  `query`: read them with SOQL first (one call per ≤200 records). */
    preWriteCheck?: 'known' | 'query';
    random?: () => number;
    now?: () => Date;
}

/** Flushes one org's outbox (see the module comment). */
export class Flusher {
    private readonly claimLimit: number;
    private readonly bulkThreshold: number;
    private readonly preWriteCheck: 'known' | 'query';
    private readonly random: () => number;
    private readonly now: () => Date;

    constructor(
        private readonly ds: DataSource,
        private readonly orgId: string,
        private readonly gateway: () => SalesforceGateway,
        private readonly breaker: CircuitBreaker,
        options: FlusherOptions = {}
    ) {
        this.claimLimit = options.claimLimit ?? 10_000;
        this.bulkThreshold = options.bulkThreshold ?? 2000;
        this.preWriteCheck = options.preWriteCheck ?? 'known';
        this.random = options.random ?? Math.random;
        this.now = options.now ?? (() => new Date());
    }

    /** Takes over edits left in_flight by a process that died, and finishes them without sending anything twice. */
    async recoverOrphans(): Promise<FlushStats> {
        return this.ds.transaction(async (m) => {
            const orphans = await createRepositories(m).pendingEdits.claimOrphans(this.orgId);
            if (orphans.length === 0) return emptyStats();
            return this.process(orphans, 'query', m);
        });
    }

    /** One flush of due edits; returns what happened (all zero when nothing was due). */
    async flushOnce(): Promise<FlushStats> {
        if (this.breaker.state !== 'closed' && this.breaker.msUntilProbe() > 0)
            return { ...emptyStats(), circuitOpen: true };
        const claimed = await this.ds.transaction((m) =>
            createRepositories(m).pendingEdits.claimDue(this.orgId, this.claimLimit)
        );
        if (claimed.length === 0) return emptyStats();
        return this.process(claimed, this.preWriteCheck);
    }

    private async process(
        edits: PendingEdit[],
        check: 'known' | 'query',
        lockHolder?: import('typeorm').EntityManager
    ): Promise<FlushStats> {
        const stats = emptyStats();
        stats.claimed = edits.length;
        const gw = this.gateway();
        const callsBefore = gw.apiCalls;
        const updates = new Map<string, EditUpdate>();
        const conflicts: NewConflict[] = [];
        const recordUpdates = new Map<
            string,
            { sfId: string; sfValues: Record<string, unknown>; fields: Record<string, unknown> }
        >();
        const recUpdate = (sfId: string) => {
            let u = recordUpdates.get(sfId);
            if (!u) recordUpdates.set(sfId, (u = { sfId, sfValues: {}, fields: {} }));
            return u;
        };

        // 1. What Salesforce holds now, and each object's policy.
        const m = lockHolder ?? this.ds.manager;
        const repos = createRepositories(m);
        const policies = new Map<string, ConflictPolicy>();
        for (const o of await repos.syncObjects.list(this.orgId)) policies.set(o.objectApiName, o.conflictPolicy);
        const known = new Map<string, RecordRow>();
        for (const r of await repos.records.getMany(
            this.orgId,
            edits.map((e) => e.sfId)
        ))
            known.set(r.sfId, r);
        const current = new Map<string, { values: Record<string, unknown>; modstamp: Date | null }>();
        if (check === 'query') {
            const byObject = new Map<string, { ids: Set<string>; fields: Set<string> }>();
            for (const e of edits) {
                const o = byObject.get(e.objectApiName) ?? { ids: new Set(), fields: new Set() };
                o.ids.add(e.sfId);
                o.fields.add(e.salesforceField);
                byObject.set(e.objectApiName, o);
            }
            for (const [obj, { ids, fields }] of byObject) {
                const got = await gw.retrieveByIds(obj, Array.from(ids), Array.from(fields));
                for (const [id15, rec] of got)
                    current.set(id15, {
                        values: rec,
                        modstamp: rec.SystemModstamp ? new Date(String(rec.SystemModstamp)) : null
                    });
            }
        }

        // 2. Pre-write conflict check per edit.
        const toSend: PendingEdit[] = [];
        for (const e of edits) {
            const policy = policies.get(e.objectApiName) ?? 'Latest_Wins';
            const rec = known.get(e.sfId);
            let sfNow: unknown;
            let modstamp: Date | null;
            if (check === 'query') {
                const cur = current.get(e.sfId.slice(0, 15));
                if (!cur) {
                    updates.set(e.id, {
                        id: e.id,
                        status: 'failed',
                        errorCode: 'ENTITY_IS_DELETED',
                        errorMessage: `Record ${e.sfId} no longer exists in Salesforce`
                    });
                    stats.failed += 1;
                    stats.failedEdits.push(e);
                    continue;
                }
                sfNow = pick(cur.values, e.salesforceField);
                modstamp = cur.modstamp;
            } else {
                if (!rec || !hasKey(rec.sfValues, e.salesforceField)) {
                    toSend.push(e);
                    continue;
                }
                sfNow = pick(rec.sfValues, e.salesforceField);
                modstamp = rec.systemModstamp;
            }
            const decision = decideConflict({
                policy,
                baseValue: e.baseValue,
                statisfyValue: e.newValue,
                salesforceValue: sfNow,
                salesforceModstamp: modstamp,
                editedAt: e.createdAt
            });
            const conflict: NewConflict = {
                objectApiName: e.objectApiName,
                sfId: e.sfId,
                fieldKey: e.fieldKey,
                salesforceField: e.salesforceField,
                statisfyValue: e.newValue,
                salesforceValue: sfNow ?? null,
                baseValue: e.baseValue,
                policy,
                status: 'resolved',
                resolution: null,
                editId: e.id
            };
            if (decision === 'send') toSend.push(e);
            else if (decision === 'already') {
                stats.already += 1;
                updates.set(e.id, { id: e.id, status: 'succeeded', errorCode: null, errorMessage: null });
                recUpdate(e.sfId).sfValues[e.salesforceField] = e.newValue;
            } else if (decision === 'statisfy_wins') {
                conflicts.push({ ...conflict, resolution: 'statisfy' });
                toSend.push(e);
            } else if (decision === 'salesforce_wins') {
                conflicts.push({ ...conflict, resolution: 'salesforce' });
                updates.set(e.id, {
                    id: e.id,
                    status: 'conflict',
                    errorCode: 'CONFLICT',
                    errorMessage: `Salesforce changed ${e.salesforceField} since this edit; policy ${policy} kept Salesforce's value`
                });
                const u = recUpdate(e.sfId);
                u.sfValues[e.salesforceField] = sfNow ?? null;
                u.fields[e.fieldKey] = sfNow ?? null;
            } else {
                conflicts.push({ ...conflict, status: 'open' });
                updates.set(e.id, {
                    id: e.id,
                    status: 'conflict',
                    errorCode: 'CONFLICT',
                    errorMessage: `Salesforce changed ${e.salesforceField} since this edit; waiting for a person to resolve (policy Manual)`
                });
            }
        }
        stats.conflicts = conflicts.length;

        // 3. Plan and send.
        const plan = planFlush(
            toSend.map((e) => ({
                id: e.id,
                objectApiName: e.objectApiName,
                sfId: e.sfId,
                salesforceField: e.salesforceField,
                newValue: e.newValue,
                createdAt: e.createdAt
            })),
            { bulkThreshold: this.bulkThreshold }
        );
        const byId = new Map(edits.map((e) => [e.id, e]));
        for (const id of plan.supersededIds) {
            updates.set(id, { id, status: 'superseded' });
            stats.superseded += 1;
        }
        const apply = (write: RecordWrite, outcome: Outcome) => {
            for (const [field, editId] of Object.entries(write.editIdByField)) {
                const e = byId.get(editId);
                if (!e) continue;
                stats.sent += 1;
                if (outcome.kind === 'succeeded') {
                    stats.succeeded += 1;
                    stats.lagsMs.push(this.now().getTime() - e.createdAt.getTime());
                    updates.set(e.id, { id: e.id, status: 'succeeded', errorCode: null, errorMessage: null });
                    recUpdate(e.sfId).sfValues[field] = e.newValue;
                } else if (outcome.kind === 'retryable' && outcome.code === 'CIRCUIT_OPEN') {
                    // Never sent: the attempt is given back and the edit waits for the breaker's next probe.
                    stats.sent -= 1;
                    stats.retried += 1;
                    updates.set(e.id, {
                        id: e.id,
                        status: 'pending',
                        attempts: Math.max(0, e.attempts - 1),
                        nextAttemptAt: new Date(this.now().getTime() + Math.max(1000, this.breaker.msUntilProbe())),
                        errorCode: outcome.code,
                        errorMessage: outcome.message
                    });
                } else if (outcome.kind === 'retryable') {
                    const next = nextRetry(e.attempts, this.now(), this.random);
                    if (next.retry) {
                        stats.retried += 1;
                        updates.set(e.id, {
                            id: e.id,
                            status: 'pending',
                            nextAttemptAt: next.at,
                            errorCode: outcome.code,
                            errorMessage: outcome.message
                        });
                    } else {
                        stats.failed += 1;
                        stats.failedEdits.push({ ...e, errorCode: outcome.code, errorMessage: outcome.message });
                        updates.set(e.id, {
                            id: e.id,
                            status: 'failed',
                            errorCode: outcome.code,
                            errorMessage: `Gave up after ${e.attempts} attempts: ${outcome.message}`
                        });
                    }
                } else {
                    stats.failed += 1;
                    stats.failedEdits.push({ ...e, errorCode: outcome.code, errorMessage: outcome.message });
                    updates.set(e.id, {
                        id: e.id,
                        status: 'failed',
                        errorCode: outcome.code,
                        errorMessage: outcome.message
                    });
                }
            }
        };
        for (const composite of plan.composites) {
            const all = composite.collections.flatMap((c) => c.records);
            if (!this.breaker.tryAcquire()) {
                for (const w of all)
                    apply(w, {
                        kind: 'retryable',
                        code: 'CIRCUIT_OPEN',
                        message: 'Salesforce is throttling or failing; waiting before the next try'
                    });
                stats.circuitOpen = true;
                continue;
            }
            let outcomes: CollectionOutcome[];
            try {
                outcomes = await gw.compositeUpdate(composite);
            } catch (err) {
                const c = classifyRequestError(err);
                if (c.throttle) this.breaker.recordThrottle();
                else this.breaker.recordOther();
                for (const w of all) apply(w, c);
                continue;
            }
            let throttled = false;
            for (const o of outcomes) {
                if (!o.ok) {
                    const retryable =
                        o.status >= 500 || o.code === 'REQUEST_LIMIT_EXCEEDED' || o.code === 'UNABLE_TO_LOCK_ROW';
                    if (o.status >= 500 || o.code === 'REQUEST_LIMIT_EXCEEDED') throttled = true;
                    for (const w of o.records)
                        apply(
                            w,
                            retryable
                                ? { kind: 'retryable', code: o.code, message: o.message }
                                : { kind: 'permanent', code: o.code, message: o.message, fields: [] }
                        );
                    continue;
                }
                o.records.forEach((w, i) => {
                    const res: RecordResult = o.results[i] ?? {
                        success: false,
                        errors: [{ statusCode: 'UNKNOWN', message: 'No result for this record' }]
                    };
                    const outcome = classifyRecordResult(res);
                    if (outcome.kind === 'retryable' && outcome.code === 'REQUEST_LIMIT_EXCEEDED') throttled = true;
                    apply(w, outcome);
                });
            }
            if (throttled) this.breaker.recordThrottle();
            else this.breaker.recordSuccess();
        }
        for (const job of plan.bulk) {
            try {
                const results = await gw.bulkUpdate(job.objectApiName, job.records);
                this.breaker.recordSuccess();
                for (const w of job.records)
                    apply(
                        w,
                        classifyRecordResult(
                            results.get(w.sfId.slice(0, 15)) ?? {
                                success: false,
                                errors: [
                                    {
                                        statusCode: 'UNABLE_TO_LOCK_ROW',
                                        message: 'Bulk job left this record unprocessed'
                                    }
                                ]
                            }
                        )
                    );
            } catch (err) {
                const c = classifyRequestError(err);
                if (c.throttle) this.breaker.recordThrottle();
                for (const w of job.records) apply(w, c);
            }
        }

        // 4. Write every result back in one transaction.
        const writeBack = async (tx: import('typeorm').EntityManager) => {
            // A Salesforce change that arrived while our write was on its way was overwritten by it: record it.
            const landed = Array.from(updates.values()).filter((u) => u.status === 'succeeded' && byId.get(u.id));
            if (landed.length) {
                const now = new Map<string, Record<string, unknown>>();
                for (const r of await createRepositories(tx).records.getMany(
                    this.orgId,
                    landed.map((u) => byId.get(u.id)!.sfId),
                    { forUpdate: true }
                ))
                    now.set(r.sfId, r.sfValues ?? {});
                for (const u of landed) {
                    const e = byId.get(u.id)!;
                    const values = now.get(e.sfId) ?? {};
                    if (!hasKey(values, e.salesforceField)) continue;
                    const seen = pick(values, e.salesforceField);
                    if (sameValue(seen, e.baseValue) || sameValue(seen, e.newValue)) continue;
                    if (conflicts.some((c) => c.editId === e.id)) continue;
                    conflicts.push({
                        objectApiName: e.objectApiName,
                        sfId: e.sfId,
                        fieldKey: e.fieldKey,
                        salesforceField: e.salesforceField,
                        statisfyValue: e.newValue,
                        salesforceValue: seen ?? null,
                        baseValue: e.baseValue,
                        policy: policies.get(e.objectApiName) ?? 'Latest_Wins',
                        status: 'resolved',
                        resolution: 'statisfy',
                        editId: e.id
                    });
                    stats.conflicts += 1;
                }
            }
            const repos = createRepositories(tx);
            await repos.pendingEdits.applyUpdates(this.orgId, Array.from(updates.values()));
            await repos.conflicts.insertMany(this.orgId, conflicts);
            await repos.records.mergeValues(
                this.orgId,
                Array.from(recordUpdates.values()).map((u) => ({
                    sfId: u.sfId,
                    sfValues: u.sfValues as Record<string, Json>,
                    fields: Object.keys(u.fields).length ? u.fields : undefined
                }))
            );
        };
        if (lockHolder) await writeBack(lockHolder);
        else await this.ds.transaction(writeBack);
        stats.apiCalls = gw.apiCalls - callsBefore;
        return stats;
    }
}

function emptyStats(): FlushStats {
    return {
        claimed: 0,
        sent: 0,
        succeeded: 0,
        failed: 0,
        retried: 0,
        conflicts: 0,
        already: 0,
        superseded: 0,
        apiCalls: 0,
        failedEdits: [],
        circuitOpen: false,
        lagsMs: []
    };
}
