/**
 * A describe cache per org: object describes are kept for a TTL (default 15 minutes), fetched once even when
 * many callers ask at the same time, and dropped when Salesforce answers INVALID_FIELD (a field was deleted
 * or renamed since), so the next caller sees the org as it is now.
 */
import type { Connection } from 'jsforce';

/** The part of a field describe the companion uses. */
export interface FieldInfo {
    name: string;
    label: string;
    type: string;
    updateable: boolean;
    createable: boolean;
    nillable: boolean;
    calculated: boolean;
    externalId: boolean;
    length?: number;
    /** Digits in all (number, currency, percent). */
    precision?: number;
    /** Digits after the decimal point (number, currency, percent). */
    scale?: number;
    referenceTo?: string[];
    picklistValues?: { value: string; label: string; active: boolean }[];
}

/** The part of an object describe the companion uses. */
export interface ObjectInfo {
    name: string;
    label: string;
    custom: boolean;
    updateable: boolean;
    fields: FieldInfo[];
}

/** Raised when an object does not exist in the org (INVALID_TYPE / NOT_FOUND). */
export class UnknownObjectError extends Error {
    override readonly name = 'UnknownObjectError';
}

interface Entry {
    at: number;
    value: Promise<ObjectInfo>;
}

/** True for Salesforce errors that mean "the describe you hold is stale". */
export function isStaleSchemaError(err: unknown): boolean {
    const code = (err as { errorCode?: string; name?: string })?.errorCode ?? (err as { name?: string })?.name ?? '';
    return (
        /^INVALID_FIELD/.test(code) ||
        code === 'INVALID_TYPE' ||
        /No such column/i.test(String((err as Error)?.message))
    );
}

/** See the module comment. */
export class DescribeCache {
    private readonly entries = new Map<string, Entry>();

    constructor(
        private readonly conn: () => Connection,
        private readonly ttlMs = 15 * 60_000,
        private readonly now: () => number = Date.now,
        /** Called once per describe fetched (one API call), for the org's call accounting. */
        private readonly onFetch: () => void = () => undefined
    ) {}

    /** The describe of one object (cached). */
    async describe(objectApiName: string): Promise<ObjectInfo> {
        const key = objectApiName.toLowerCase();
        const hit = this.entries.get(key);
        if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
        const value = this.fetch(objectApiName);
        this.entries.set(key, { at: this.now(), value });
        value.catch(() => this.entries.delete(key));
        return value;
    }

    /** One field's describe (case-insensitive), or null when the object has no such field. */
    async field(objectApiName: string, fieldApiName: string): Promise<FieldInfo | null> {
        const info = await this.describe(objectApiName);
        const lower = fieldApiName.toLowerCase();
        return info.fields.find((f) => f.name.toLowerCase() === lower) ?? null;
    }

    /** Forgets one object's describe, or all of them. */
    invalidate(objectApiName?: string): void {
        if (objectApiName) this.entries.delete(objectApiName.toLowerCase());
        else this.entries.clear();
    }

    /**
     * Runs a Salesforce call that depends on the describe; on INVALID_FIELD (or INVALID_TYPE) the describe
     * is dropped and the call is retried once with a fresh one.
     */
    async withFreshSchema<T>(objectApiName: string, fn: (info: ObjectInfo) => Promise<T>): Promise<T> {
        try {
            return await fn(await this.describe(objectApiName));
        } catch (err) {
            if (!isStaleSchemaError(err)) throw err;
            this.invalidate(objectApiName);
            return fn(await this.describe(objectApiName));
        }
    }

    private async fetch(objectApiName: string): Promise<ObjectInfo> {
        let raw;
        try {
            this.onFetch();
            raw = await this.conn().sobject(objectApiName).describe();
        } catch (err) {
            const code = (err as { errorCode?: string }).errorCode;
            if (code === 'NOT_FOUND' || code === 'INVALID_TYPE')
                throw new UnknownObjectError(`Object ${objectApiName} does not exist in the Salesforce org`);
            throw err;
        }
        return {
            name: raw.name,
            label: raw.label,
            custom: raw.custom,
            updateable: raw.updateable,
            fields: raw.fields.map((f) => ({
                name: f.name,
                label: f.label,
                type: f.type,
                updateable: f.updateable,
                createable: f.createable,
                nillable: f.nillable,
                calculated: f.calculated,
                externalId: f.externalId,
                length: f.length,
                precision: f.precision,
                scale: f.scale,
                referenceTo: (f.referenceTo ?? undefined) as string[] | undefined,
                picklistValues: f.picklistValues?.map((p) => ({
                    value: p.value,
                    label: p.label ?? p.value,
                    active: p.active
                }))
            }))
        };
    }
}
