/**
 * The record store: every record of the org, keyed by 18-character id, with Salesforce's DML
 * semantics — value validation with Salesforce's error codes and wording, system fields that move on
 * every write, the recycle bin, master-detail cascade delete, external-id upsert and transactions
 * that either commit (and notify listeners, which publish Record_Change__e) or roll back.
 */
import type { Clock } from '../clock';
import type { SchemaRegistry } from '../schema/registry';
import type { FieldSchema, ObjectSchema } from '../schema/types';
import { deriveFields } from './derive';
import { IdGenerator, to18 } from './ids';
import { DmlError, Transaction, type CommitListener, type Rec } from './transaction';
import { coerceValue, formatDateTime } from './values';

export { DmlError, Transaction, type Change, type CommitListener, type Rec } from './transaction';
export { formatDateTime } from './values';

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
        deriveFields(this.schema, obj, rec, null);
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
            deriveFields(this.schema, obj, rec, old);
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

    /** Converts a JSON value to the field's REST JSON form, or throws Salesforce's error. */
    coerce(_obj: ObjectSchema, f: FieldSchema, v: unknown): unknown {
        return coerceValue(this.schema, (id) => this.index.get(id), f, v);
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
