/**
 * The record store: every record of the org, keyed by 18-character id, with Salesforce's DML
 * semantics — value validation with Salesforce's error codes and wording, system fields that move on
 * every write, the recycle bin, master-detail cascade delete, external-id upsert and transactions
 * that either commit (and notify listeners, which publish Record_Change__e) or roll back.
 */
import type { Clock } from '../clock';
import type { SchemaRegistry } from '../schema/registry';
import type { FieldSchema, ObjectSchema } from '../schema/types';
import { IdGenerator, to18 } from './ids';

/** A record in REST JSON form, keyed by canonical field API names. */
export type Rec = Record<string, unknown>;

/** A DML failure, shaped like Salesforce's `{statusCode|errorCode, message, fields}`. */
export class DmlError extends Error {
    constructor(
        readonly statusCode: string,
        message: string,
        readonly fields: string[] = [],
        /** HTTP status for single-record REST calls. */
        readonly httpStatus = 400
    ) {
        super(message);
    }
}

/** One committed (or pending) change, as a trigger would see it. */
export interface Change {
    objectName: string;
    type: 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';
    id: string;
    old: Rec | null;
    new: Rec | null;
    /** Sequence number of the DML statement inside the transaction (one trigger invocation each). */
    op: number;
    /** Cascade-deleted/undeleted master-detail children: Salesforce fires no triggers for these. */
    cascade: boolean;
}

/** A unit of work: DML statements that commit or roll back together. */
export class Transaction {
    readonly changes: Change[] = [];
    /** Undo log, applied in reverse on rollback. */
    readonly undo: Array<() => void> = [];
    private opSeq = 0;
    op = 0;
    done = false;
    constructor(readonly userId: string) {}

    /** Marks the start of a new DML statement (a new trigger invocation). */
    nextOp(): number {
        this.op = ++this.opSeq;
        return this.op;
    }

    /** A savepoint: pass it to {@link RecordStore.rollbackTo} to undo everything after it. */
    savepoint(): { undo: number; changes: number } {
        return { undo: this.undo.length, changes: this.changes.length };
    }
}

/** Listener called after a transaction commits, with its changes in order. */
export type CommitListener = (changes: Change[], tx: Transaction) => void;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Formats epoch milliseconds as Salesforce's REST datetime `YYYY-MM-DDThh:mm:ss.SSS+0000`. */
export function formatDateTime(ms: number): string {
    return new Date(ms).toISOString().replace('Z', '+0000');
}

function jsonParserError(type: string, value: unknown): DmlError {
    const kind =
        typeof value === 'string'
            ? 'VALUE_STRING'
            : typeof value === 'boolean'
              ? 'VALUE_' + String(value).toUpperCase()
              : typeof value === 'number'
                ? 'VALUE_NUMBER_INT'
                : 'START_OBJECT';
    return new DmlError(
        'JSON_PARSER_ERROR',
        `Cannot deserialize instance of ${type} from ${kind} value ${typeof value === 'object' ? JSON.stringify(value) : String(value)} or request may be missing a required field at [line:1, column:1]`
    );
}

const STAGES: Record<string, { p: number; closed: boolean; won: boolean; fc: string; fcn: string }> = {
    Prospecting: { p: 10, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    Qualification: { p: 10, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    'Needs Analysis': { p: 20, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    'Value Proposition': { p: 50, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    'Id. Decision Makers': { p: 60, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    'Perception Analysis': { p: 70, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    'Proposal/Price Quote': { p: 75, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    'Negotiation/Review': { p: 90, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    'Closed Won': { p: 100, closed: true, won: true, fc: 'Closed', fcn: 'Closed' },
    'Closed Lost': { p: 0, closed: true, won: false, fc: 'Omitted', fcn: 'Omitted' }
};

/** Options for writes. */
export interface WriteOptions {
    /** Allow writing fields that are not createable/updateable (seeding, control API). */
    system?: boolean;
    /** Use this id instead of a new one (fixture users). */
    id?: string;
}

/** The org's records. */
export class RecordStore {
    private tables = new Map<string, Map<string, Rec>>();
    private index = new Map<string, { obj: ObjectSchema; rec: Rec }>();
    private autonumbers = new Map<string, number>();
    private lastStamp = 0;
    private listeners: CommitListener[] = [];
    readonly ids = new IdGenerator();

    constructor(
        readonly schema: SchemaRegistry,
        readonly clock: Clock,
        readonly orgId: string
    ) {}

    /** Registers a listener for committed transactions. */
    onCommit(l: CommitListener): void {
        this.listeners.push(l);
    }

    /** Starts a transaction run by `userId`. */
    begin(userId: string): Transaction {
        return new Transaction(userId);
    }

    /** Commits: listeners see the changes (R7: only committed work publishes). */
    commit(tx: Transaction, opts: { silent?: boolean } = {}): void {
        if (tx.done) throw new Error('transaction already finished');
        tx.done = true;
        if (tx.changes.length === 0 || opts.silent) return;
        for (const l of this.listeners) l(tx.changes, tx);
    }

    /** Rolls the whole transaction back. */
    rollback(tx: Transaction): void {
        this.rollbackTo(tx, { undo: 0, changes: 0 });
        tx.done = true;
    }

    /** Undoes everything after a savepoint. */
    rollbackTo(tx: Transaction, sp: { undo: number; changes: number }): void {
        while (tx.undo.length > sp.undo) tx.undo.pop()!();
        tx.changes.length = sp.changes;
    }

    /** Runs `fn` in a transaction of its own: commit on success, rollback on throw. */
    run<T>(userId: string, fn: (tx: Transaction) => T): T {
        const tx = this.begin(userId);
        try {
            const r = fn(tx);
            this.commit(tx);
            return r;
        } catch (e) {
            if (!tx.done) this.rollback(tx);
            throw e;
        }
    }

    /* ----------------------------------------------------------------- reads */

    /** A record by 15- or 18-character id (deleted ones included), or undefined. */
    get(id: string): { obj: ObjectSchema; rec: Rec } | undefined {
        const id18 = to18(id);
        return id18 ? this.index.get(id18) : undefined;
    }

    /** Records of an object (live only unless includeDeleted). */
    *records(objectName: string, includeDeleted: boolean): Iterable<Rec> {
        const obj = this.schema.get(objectName);
        if (!obj) return;
        const t = this.tables.get(obj.name);
        if (!t) return;
        for (const r of t.values()) if (includeDeleted || r.IsDeleted !== true) yield r;
    }

    /** Number of live records of an object. */
    count(objectName: string): number {
        let n = 0;
        for (const _ of this.records(objectName, false)) n++;
        return n;
    }

    private table(obj: ObjectSchema): Map<string, Rec> {
        let t = this.tables.get(obj.name);
        if (!t) {
            t = new Map();
            this.tables.set(obj.name, t);
        }
        return t;
    }

    /** The next SystemModstamp: the clock, but strictly after the previous one. */
    private stamp(): string {
        const ms = Math.max(this.clock.nowMs(), this.lastStamp + 1);
        this.lastStamp = ms;
        return formatDateTime(ms);
    }

    /* ----------------------------------------------------------------- writes */

    /** Resolves an object name for DML or throws INVALID_TYPE / NOT_FOUND. */
    objectFor(objectName: string): ObjectSchema {
        const obj = this.schema.get(objectName);
        if (!obj || obj.isEvent) throw new DmlError('NOT_FOUND', 'The requested resource does not exist', [], 404);
        return obj;
    }

    /** Inserts a record; returns its id. */
    insert(tx: Transaction, objectName: string, values: Rec, opts: WriteOptions = {}): string {
        const obj = this.objectFor(objectName);
        const given = this.coerceAll(obj, values, 'create', opts);
        const rec: Rec = { ...this.template(obj) };
        for (const k in given) rec[k] = given[k];
        const now = this.stamp();
        const id = opts.id ?? this.ids.next(obj.keyPrefix);
        rec.Id = id;
        rec.IsDeleted = false;
        if (this.schema.isOwned(obj) && (rec.OwnerId === null || !('OwnerId' in given))) rec.OwnerId = tx.userId;
        if ('SetupOwnerId' in rec && rec.SetupOwnerId === null) rec.SetupOwnerId = this.orgId;
        if (!opts.system || !('CreatedDate' in given)) rec.CreatedDate = now;
        if (!opts.system || !('CreatedById' in given)) rec.CreatedById = tx.userId;
        if (!opts.system || !('LastModifiedDate' in given)) rec.LastModifiedDate = now;
        if (!opts.system || !('LastModifiedById' in given)) rec.LastModifiedById = tx.userId;
        rec.SystemModstamp = now;
        this.autonumber(obj, rec);
        // A custom object's text Name left blank shows the record's Id, as in Salesforce.
        if (obj.custom && rec.Name === null && obj.fields.has('Name') && !this.schema.isCustomSetting(obj))
            rec.Name = id;
        this.derive(obj, rec, null);
        this.checkRecord(obj, rec, null);
        const t = this.table(obj);
        t.set(id, rec);
        this.index.set(id, { obj, rec });
        tx.undo.push(() => {
            t.delete(id);
            this.index.delete(id);
        });
        tx.changes.push({
            objectName: obj.name,
            type: 'CREATE',
            id,
            old: null,
            new: { ...rec },
            op: tx.op,
            cascade: false
        });
        return id;
    }

    private templates = new WeakMap<ObjectSchema, { size: number; rec: Rec }>();

    /** A new record's starting values: every field null or its default (cached per object shape). */
    private template(obj: ObjectSchema): Rec {
        const t = this.templates.get(obj);
        if (t && t.size === obj.fields.size) return t.rec;
        const rec: Rec = {};
        for (const f of obj.fields.values())
            rec[f.name] = f.defaultValue !== null && f.defaultValue !== undefined ? f.defaultValue : null;
        this.templates.set(obj, { size: obj.fields.size, rec });
        return rec;
    }

    /** Inserts a record with a fixed id and system privileges (fixture users). */
    insertWithId(tx: Transaction, objectName: string, id: string, values: Rec): string {
        return this.insert(tx, objectName, values, { system: true, id });
    }

    /** Updates a record; `objectName` (when given) must match the id's object. */
    update(tx: Transaction, objectName: string | null, id: string, values: Rec, opts: WriteOptions = {}): void {
        const found = this.live(id, objectName);
        const { obj, rec } = found;
        const given = this.coerceAll(obj, values, 'update', opts);
        const old = { ...rec };
        for (const k in given) rec[k] = given[k];
        const now = this.stamp();
        rec.LastModifiedDate = now;
        rec.LastModifiedById = tx.userId;
        rec.SystemModstamp = now;
        try {
            this.derive(obj, rec, old);
            this.checkRecord(obj, rec, old);
        } catch (e) {
            for (const k in rec) rec[k] = old[k];
            throw e;
        }
        tx.undo.push(() => {
            for (const k in rec) rec[k] = old[k];
        });
        tx.changes.push({
            objectName: obj.name,
            type: 'UPDATE',
            id: rec.Id as string,
            old,
            new: { ...rec },
            op: tx.op,
            cascade: false
        });
    }

    /** Moves a record (and its master-detail children) to the recycle bin. */
    delete(tx: Transaction, objectName: string | null, id: string): void {
        const { obj, rec } = this.live(id, objectName);
        this.softDelete(tx, obj, rec, false);
    }

    /**
     * Deletes a record permanently, bypassing the recycle bin (Bulk API `hardDelete`); its
     * master-detail children go with it. Triggers see a delete, as in Salesforce.
     */
    hardDelete(tx: Transaction, objectName: string | null, id: string): void {
        const { obj, rec } = this.live(id, objectName);
        this.softDelete(tx, obj, rec, false);
        const purge = (o: ObjectSchema, r: Rec) => {
            const t = this.table(o);
            const rid = r.Id as string;
            t.delete(rid);
            this.index.delete(rid);
            tx.undo.push(() => {
                t.set(rid, r);
                this.index.set(rid, { obj: o, rec: r });
            });
            for (const { child, field } of this.masterDetailChildren(o))
                for (const c of [...this.records(child.name, true)]) if (c[field.name] === rid) purge(child, c);
        };
        purge(obj, rec);
    }

    /** Moves a record into (or out of) the recycle bin: stamps it, records the change and how to undo it. */
    private setDeleted(tx: Transaction, obj: ObjectSchema, rec: Rec, deleted: boolean, cascade: boolean): void {
        const old = { ...rec };
        const now = this.stamp();
        rec.IsDeleted = deleted;
        rec.SystemModstamp = now;
        rec.LastModifiedDate = now;
        rec.LastModifiedById = tx.userId;
        tx.undo.push(() => {
            Object.assign(rec, old);
        });
        tx.changes.push({
            objectName: obj.name,
            type: deleted ? 'DELETE' : 'UNDELETE',
            id: rec.Id as string,
            old,
            new: { ...rec },
            op: tx.op,
            cascade
        });
    }

    private softDelete(tx: Transaction, obj: ObjectSchema, rec: Rec, cascade: boolean): void {
        this.setDeleted(tx, obj, rec, true, cascade);
        for (const { child, field } of this.masterDetailChildren(obj)) {
            for (const c of [...this.records(child.name, false)])
                if (c[field.name] === rec.Id) this.softDelete(tx, child, c, true);
        }
    }

    /** Restores a record (and the children deleted with it) from the recycle bin. */
    undelete(tx: Transaction, objectName: string | null, id: string): void {
        const found = this.get(id);
        if (!found || (objectName && found.obj.name !== this.schema.get(objectName)?.name))
            throw new DmlError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [], 404);
        if (found.rec.IsDeleted !== true) throw new DmlError('UNDELETE_FAILED', 'Entity is not in the recycle bin', []);
        this.restoreFromBin(tx, found.obj, found.rec, false);
    }

    private restoreFromBin(tx: Transaction, obj: ObjectSchema, rec: Rec, cascade: boolean): void {
        const deletedAt = rec.SystemModstamp;
        this.setDeleted(tx, obj, rec, false, cascade);
        for (const { child, field } of this.masterDetailChildren(obj)) {
            for (const c of [...this.records(child.name, true)])
                if (c.IsDeleted === true && c[field.name] === rec.Id && c.SystemModstamp! >= deletedAt!)
                    this.restoreFromBin(tx, child, c, true);
        }
    }

    /**
     * Upsert by external id (or Id). Returns the id and whether it was created.
     * Several matches → DmlError MULTIPLE_CHOICES (HTTP 300) with the matching ids in `fields`.
     */
    upsert(
        tx: Transaction,
        objectName: string,
        extField: string,
        extValue: unknown,
        values: Rec,
        opts: WriteOptions = {}
    ): { id: string; created: boolean } {
        const obj = this.objectFor(objectName);
        const f = this.schema.getField(obj, extField);
        if (!f || !(f.externalId || f.name === 'Id'))
            throw new DmlError(
                'NOT_FOUND',
                `Provided external ID field does not exist or is not accessible: ${extField}`,
                [],
                404
            );
        const body: Rec = { ...values };
        for (const k of Object.keys(body)) if (k.toLowerCase() === f.name.toLowerCase()) delete body[k];
        if (f.name === 'Id') {
            if (extValue === null || extValue === undefined || extValue === '')
                return { id: this.insert(tx, obj.name, body, opts), created: true };
            this.update(tx, obj.name, String(extValue), body, opts);
            return { id: to18(String(extValue))!, created: false };
        }
        if (extValue === null || extValue === undefined || extValue === '')
            throw new DmlError('MISSING_ARGUMENT', `${f.name} not specified`, [f.name]);
        const matches = this.findByField(obj, f, extValue);
        if (matches.length > 1)
            throw new DmlError(
                'MULTIPLE_CHOICES',
                `More than one record found for external id field ${f.name}`,
                matches,
                300
            );
        if (matches.length === 1) {
            this.update(tx, obj.name, matches[0], body, opts);
            return { id: matches[0], created: false };
        }
        return { id: this.insert(tx, obj.name, { ...body, [f.name]: extValue }, opts), created: true };
    }

    /** Ids of live records whose `f` equals `value` (text compared case-insensitively, as external ids are). */
    findByField(obj: ObjectSchema, f: FieldSchema, value: unknown): string[] {
        const v = this.coerce(obj, f, value);
        const norm = (x: unknown) => (typeof x === 'string' ? x.toLowerCase() : x);
        const out: string[] = [];
        for (const r of this.records(obj.name, false))
            if (r[f.name] !== null && norm(r[f.name]) === norm(v)) out.push(r.Id as string);
        return out;
    }

    private live(id: string, objectName: string | null): { obj: ObjectSchema; rec: Rec } {
        const id18 = to18(id);
        if (!id18) throw new DmlError('MALFORMED_ID', `Record ID: id value of incorrect type: ${id}`, ['Id']);
        const found = this.index.get(id18);
        const want = objectName ? this.schema.get(objectName) : undefined;
        if (!found) {
            if (want && this.schema.byPrefix(id18) !== want)
                throw new DmlError('MALFORMED_ID', `${want.label} ID: id value of incorrect type: ${id}`, ['Id']);
            throw new DmlError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [], 404);
        }
        if (want && found.obj !== want)
            throw new DmlError('MALFORMED_ID', `${want.label} ID: id value of incorrect type: ${id}`, ['Id']);
        if (found.rec.IsDeleted === true) throw new DmlError('ENTITY_IS_DELETED', 'entity is deleted', [], 404);
        return found;
    }

    private masterDetailChildren(obj: ObjectSchema): Array<{ child: ObjectSchema; field: FieldSchema }> {
        const out: Array<{ child: ObjectSchema; field: FieldSchema }> = [];
        for (const o of this.schema.all())
            for (const f of o.fields.values())
                if (f.cascadeDelete && f.referenceTo.some((r) => r.toLowerCase() === obj.name.toLowerCase()))
                    out.push({ child: o, field: f });
        return out;
    }

    /* ----------------------------------------------------------------- validation */

    private coerceAll(obj: ObjectSchema, values: Rec, mode: 'create' | 'update', opts: WriteOptions): Rec {
        if (values === null || typeof values !== 'object' || Array.isArray(values))
            throw new DmlError('JSON_PARSER_ERROR', 'The request body must be a JSON object describing the record');
        const out: Rec = {};
        const bad: string[] = [];
        for (const [k, v] of Object.entries(values)) {
            if (k === 'attributes') continue;
            const f = this.schema.getField(obj, k);
            if (!f) throw new DmlError('INVALID_FIELD', `No such column '${k}' on sobject of type ${obj.name}`, []);
            if (f.name === 'Id') {
                // An Id in an update body must name the record being updated; it is never written.
                if (mode === 'update' || opts.system) continue;
                bad.push(f.name);
                continue;
            }
            if (!opts.system && !(mode === 'create' ? f.createable : f.updateable)) {
                bad.push(f.name);
                continue;
            }
            out[f.name] = this.coerce(obj, f, v);
        }
        if (bad.length)
            throw new DmlError(
                'INVALID_FIELD_FOR_INSERT_UPDATE',
                `Unable to create/update fields: ${bad.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
                bad
            );
        return out;
    }

    /** Converts a JSON value to the field's REST JSON form, or throws Salesforce's error. */
    coerce(obj: ObjectSchema, f: FieldSchema, v: unknown): unknown {
        if (v === null || v === undefined) return null;
        switch (f.type) {
            case 'string':
            case 'textarea':
            case 'phone':
            case 'url':
            case 'email':
            case 'picklist':
            case 'multipicklist': {
                if (typeof v === 'object') throw jsonParserError('String', v);
                const s = String(v);
                if (s === '') return null;
                if (s.length > f.length)
                    throw new DmlError(
                        'STRING_TOO_LONG',
                        `${f.label}: data value too large: ${s.length > 80 ? s.slice(0, 80) + '...' : s} (max length=${f.length})`,
                        [f.name]
                    );
                if (f.type === 'email' && !EMAIL.test(s))
                    throw new DmlError('INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${s}`, [f.name]);
                if (f.type === 'picklist' && f.restrictedPicklist && !f.picklistValues.some((p) => p.value === s))
                    throw new DmlError(
                        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
                        `${f.label}: bad value for restricted picklist field: ${s}`,
                        [f.name]
                    );
                if (f.type === 'multipicklist') {
                    const parts = s
                        .split(';')
                        .map((p) => p.trim())
                        .filter((p) => p !== '');
                    if (f.restrictedPicklist)
                        for (const p of parts)
                            if (!f.picklistValues.some((x) => x.value === p))
                                throw new DmlError(
                                    'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
                                    `${f.label}: bad value for restricted picklist field: ${p}`,
                                    [f.name]
                                );
                    return parts.length ? parts.join(';') : null;
                }
                return s;
            }
            case 'boolean':
                if (typeof v === 'boolean') return v;
                if (v === 'true' || v === 'false') return v === 'true';
                throw jsonParserError('boolean', v);
            case 'int':
            case 'double':
            case 'currency':
            case 'percent': {
                const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
                if (!Number.isFinite(n)) throw jsonParserError(f.type === 'int' ? 'int' : 'double', v);
                if (f.type === 'int' && !Number.isInteger(n)) throw jsonParserError('int', v);
                const factor = 10 ** f.scale;
                const rounded = f.type === 'int' ? n : Math.round(n * factor) / factor;
                if (Math.abs(Math.trunc(rounded)).toString().length > Math.max(1, f.precision - f.scale))
                    throw new DmlError(
                        'NUMBER_OUTSIDE_VALID_RANGE',
                        `${f.label}: value outside of valid range on numeric field: ${n}`,
                        [f.name]
                    );
                return rounded;
            }
            case 'date': {
                if (typeof v !== 'string') throw jsonParserError('date', v);
                const m = DATE.exec(v.slice(0, 10));
                if (!m || (v.length > 10 && v[10] !== 'T') || Number.isNaN(Date.parse(`${v.slice(0, 10)}T00:00:00Z`)))
                    throw jsonParserError('date', v);
                return v.slice(0, 10);
            }
            case 'datetime': {
                if (typeof v !== 'string') throw jsonParserError('datetime', v);
                const iso = v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
                const ms = Date.parse(/T/.test(iso) ? iso : `${iso}T00:00:00Z`);
                if (Number.isNaN(ms)) throw jsonParserError('datetime', v);
                return formatDateTime(ms);
            }
            case 'reference': {
                if (typeof v !== 'string') throw jsonParserError('String', v);
                if (v === '') return null;
                const id18 = to18(v);
                if (!id18) throw new DmlError('MALFORMED_ID', `${f.label}: id value of incorrect type: ${v}`, [f.name]);
                if (f.referenceTo.some((r) => r === 'Organization' || r === 'Profile')) return id18;
                const target = this.index.get(id18);
                const targetType = this.schema.byPrefix(id18);
                if (!targetType || !f.referenceTo.some((r) => r.toLowerCase() === targetType.name.toLowerCase()))
                    throw new DmlError('FIELD_INTEGRITY_EXCEPTION', `${f.label}: id value of incorrect type: ${v}`, [
                        f.name
                    ]);
                if (!target)
                    throw new DmlError('INVALID_CROSS_REFERENCE_KEY', `${f.label}: invalid cross reference id`, [
                        f.name
                    ]);
                if (target.rec.IsDeleted === true)
                    throw new DmlError('ENTITY_IS_DELETED', 'entity is deleted', [f.name]);
                return id18;
            }
            case 'id':
                return to18(String(v)) ?? v;
        }
    }

    /** Required fields, uniqueness and validation rules on the record as it would be saved. */
    private checkRecord(obj: ObjectSchema, rec: Rec, _old: Rec | null): void {
        const missing: string[] = [];
        for (const f of obj.fields.values()) {
            const required = !f.nillable && f.type !== 'boolean' && (f.createable || f.updateable);
            if (required && (rec[f.name] === null || rec[f.name] === undefined)) missing.push(f.name);
        }
        if (missing.length)
            throw new DmlError(
                'REQUIRED_FIELD_MISSING',
                `Required fields are missing: [${missing.join(', ')}]`,
                missing
            );
        for (const f of obj.fields.values()) {
            if (!(f.unique || (f.externalId && f.unique)) || rec[f.name] === null || f.name === 'Id') continue;
            const v = rec[f.name];
            const norm = (x: unknown) => (typeof x === 'string' ? x.toLowerCase() : x);
            for (const r of this.records(obj.name, false)) {
                if (r.Id !== rec.Id && norm(r[f.name]) === norm(v))
                    throw new DmlError(
                        'DUPLICATE_VALUE',
                        `duplicate value found: ${f.name} duplicates value on record with id: ${r.Id as string}`,
                        [f.name]
                    );
            }
        }
        for (const rule of obj.validationRules) {
            let invalid: boolean;
            try {
                invalid = rule.condition(rec);
            } catch {
                invalid = false;
            }
            if (invalid)
                throw new DmlError(
                    'FIELD_CUSTOM_VALIDATION_EXCEPTION',
                    rule.message,
                    rule.errorField ? [rule.errorField] : []
                );
        }
    }

    private autonumber(obj: ObjectSchema, rec: Rec): void {
        for (const f of obj.fields.values()) {
            const fmt = this.schema.fieldExtra(obj, f.name)?.displayFormat;
            if (!fmt) continue;
            const key = `${obj.name}.${f.name}`;
            const n = (this.autonumbers.get(key) ?? 0) + 1;
            this.autonumbers.set(key, n);
            rec[f.name] = fmt.replace(/\{(0+)\}/, (_m, zeros: string) => String(n).padStart(zeros.length, '0'));
        }
    }

    /** Values Salesforce computes: full names, Opportunity stage facts, fiscal period. */
    private derive(obj: ObjectSchema, rec: Rec, old: Rec | null): void {
        for (const f of obj.fields.values()) {
            if (this.schema.fieldExtra(obj, f.name)?.derived === 'fullName')
                rec[f.name] =
                    [rec.FirstName, rec.LastName].filter((x) => x !== null && x !== undefined && x !== '').join(' ') ||
                    null;
        }
        if (obj.name === 'Opportunity') {
            const stage = STAGES[rec.StageName as string];
            const stageChanged = !old || old.StageName !== rec.StageName;
            if (stage) {
                rec.IsClosed = stage.closed;
                rec.IsWon = stage.won;
                if (stageChanged) {
                    rec.ForecastCategory = stage.fc;
                    if (!old || old.ForecastCategoryName === rec.ForecastCategoryName)
                        rec.ForecastCategoryName = stage.fcn;
                    if (!old ? rec.Probability === null : old.Probability === rec.Probability)
                        rec.Probability = stage.p;
                }
            }
            rec.ExpectedRevenue =
                typeof rec.Amount === 'number' && typeof rec.Probability === 'number'
                    ? Math.round(rec.Amount * rec.Probability) / 100
                    : null;
            if (typeof rec.CloseDate === 'string') {
                rec.FiscalYear = Number(rec.CloseDate.slice(0, 4));
                rec.FiscalQuarter = Math.floor((Number(rec.CloseDate.slice(5, 7)) - 1) / 3) + 1;
            }
        }
    }

    /* ----------------------------------------------------------------- persistence */

    /** Serialisable state. */
    snapshot(): unknown {
        const tables: Record<string, Rec[]> = {};
        for (const [name, t] of this.tables) tables[name] = [...t.values()];
        return {
            tables,
            ids: this.ids.snapshot(),
            autonumbers: Object.fromEntries(this.autonumbers),
            lastStamp: this.lastStamp
        };
    }

    /** Restores a {@link snapshot}; objects no longer in the schema are dropped. */
    restore(s: unknown): void {
        const x = s as {
            tables: Record<string, Rec[]>;
            ids: Record<string, number>;
            autonumbers: Record<string, number>;
            lastStamp: number;
        };
        this.reset();
        for (const [name, recs] of Object.entries(x.tables ?? {})) {
            const obj = this.schema.get(name);
            if (!obj) continue;
            const t = this.table(obj);
            for (const r of recs) {
                t.set(r.Id as string, r);
                this.index.set(r.Id as string, { obj, rec: r });
            }
        }
        this.ids.restore(x.ids ?? {});
        this.autonumbers = new Map(Object.entries(x.autonumbers ?? {}));
        this.lastStamp = x.lastStamp ?? 0;
    }

    /** Empties the store (ids keep counting, so old ids never come back). */
    reset(): void {
        this.tables.clear();
        this.index.clear();
        this.autonumbers.clear();
    }
}
