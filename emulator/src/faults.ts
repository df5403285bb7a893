/**
 * Fault injection: rules matched by method, path glob and object that add latency or answer with an
 * error instead of the real response, each with a probability or a count.
 *
 * A rule with `recordError` is a record-level rule instead: it leaves the request alone and fails single
 * records inside an sObject Collections call (also as a /composite subrequest) with that status code, the
 * way Salesforce reports `UNABLE_TO_LOCK_ROW` for one row of a batch while the other rows save.
 */

/** A fault rule as the control API accepts it. */
export interface FaultRuleInput {
    /** HTTP method to match (`*` or omitted = any). */
    method?: string;
    /** Path glob matched against the request path (`*` = one segment's characters, `**` = anything). */
    path?: string;
    /** sObject API name the request touches (case-insensitive). */
    object?: string;
    /** Answer with this HTTP status instead of the real response. */
    status?: number;
    errorCode?: string;
    message?: string;
    /** Delay before answering (or before the error), in milliseconds. */
    latencyMs?: number;
    /** Chance (0–1) that a matching request is affected; default 1. */
    probability?: number;
    /** Affect only this many matching requests, then remove the rule. */
    count?: number;
    /**
     * Record-level rule: fail matching records of a Collections write with this status code (e.g.
     * `UNABLE_TO_LOCK_ROW`) instead of affecting the whole request. `count` then counts records.
     */
    recordError?: string;
    /** With `recordError`: only this record (15- or 18-character id); default any record of `object`. */
    recordId?: string;
}

/** A stored fault rule. */
export interface FaultRule extends FaultRuleInput {
    id: string;
    /** Requests this rule has affected so far. */
    hits: number;
    remaining: number | null;
}

/** What a matching record-level rule does to one record of a Collections call. */
export interface RecordFault {
    rule: FaultRule;
    errorCode: string;
    message: string;
}

/** What a matching rule does to a request. */
export interface FaultEffect {
    rule: FaultRule;
    latencyMs: number;
    error: { status: number; errorCode: string; message: string } | null;
}

const DEFAULT_CODES: Record<number, [string, string]> = {
    400: ['BAD_REQUEST', 'Bad request'],
    401: ['INVALID_SESSION_ID', 'Session expired or invalid'],
    403: ['REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'],
    404: ['NOT_FOUND', 'The requested resource does not exist'],
    409: ['CONFLICT', 'Conflict'],
    500: ['UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support'],
    502: ['BAD_GATEWAY', 'Bad gateway'],
    503: ['SERVER_UNAVAILABLE', 'Server temporarily unavailable'],
    504: ['GATEWAY_TIMEOUT', 'Gateway timeout']
};

function globToRegExp(glob: string): RegExp {
    let re = '';
    for (let i = 0; i < glob.length; i++) {
        const c = glob[i];
        if (c === '*') {
            if (glob[i + 1] === '*') {
                re += '.*';
                i++;
            } else re += '[^/]*';
        } else if (c === '?') re += '[^/]';
        else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return new RegExp(`^${re}$`, 'i');
}

/** Validates a rule; throws an Error naming the bad input. */
export function validateFaultRule(x: unknown): FaultRuleInput {
    if (!x || typeof x !== 'object' || Array.isArray(x)) throw new Error('fault rule must be a JSON object');
    const r = x as Record<string, unknown>;
    const known = [
        'method',
        'path',
        'object',
        'status',
        'errorCode',
        'message',
        'latencyMs',
        'probability',
        'count',
        'recordError',
        'recordId'
    ];
    for (const k of Object.keys(r))
        if (!known.includes(k)) throw new Error(`unknown fault rule property '${k}' (known: ${known.join(', ')})`);
    const str = (k: string) => {
        if (r[k] !== undefined && typeof r[k] !== 'string') throw new Error(`fault rule '${k}' must be a string`);
    };
    ['method', 'path', 'object', 'errorCode', 'message', 'recordError', 'recordId'].forEach(str);
    if (
        r.status !== undefined &&
        (!Number.isInteger(r.status) || (r.status as number) < 100 || (r.status as number) > 599)
    )
        throw new Error(`fault rule 'status' must be an HTTP status 100-599, got ${JSON.stringify(r.status)}`);
    if (r.latencyMs !== undefined && (typeof r.latencyMs !== 'number' || r.latencyMs < 0 || r.latencyMs > 600000))
        throw new Error(`fault rule 'latencyMs' must be 0-600000, got ${JSON.stringify(r.latencyMs)}`);
    if (r.probability !== undefined && (typeof r.probability !== 'number' || r.probability < 0 || r.probability > 1))
        throw new Error(`fault rule 'probability' must be between 0 and 1, got ${JSON.stringify(r.probability)}`);
    if (r.count !== undefined && (!Number.isInteger(r.count) || (r.count as number) < 1))
        throw new Error(`fault rule 'count' must be a positive integer, got ${JSON.stringify(r.count)}`);
    if (r.recordError !== undefined) {
        if (!/^[A-Z][A-Z0-9_]*$/.test(r.recordError as string))
            throw new Error(
                `fault rule 'recordError' must be a status code such as UNABLE_TO_LOCK_ROW, got ${JSON.stringify(r.recordError)}`
            );
        for (const k of ['status', 'latencyMs', 'errorCode', 'method', 'path'])
            if (r[k] !== undefined) throw new Error(`a record-level fault rule (recordError) cannot have '${k}'`);
        return r as FaultRuleInput;
    }
    if (r.recordId !== undefined) throw new Error("fault rule 'recordId' needs 'recordError'");
    if (r.status === undefined && r.latencyMs === undefined)
        throw new Error("fault rule needs 'status', 'latencyMs' or 'recordError'");
    return r as FaultRuleInput;
}

/** The org's fault rules. */
export class FaultEngine {
    private rules: Array<FaultRule & { re: RegExp | null }> = [];
    private seq = 0;

    /** Adds a rule (validated); returns it. */
    add(input: unknown): FaultRule {
        const r = validateFaultRule(input);
        const rule = {
            ...r,
            method: r.method?.toUpperCase(),
            id: `fault-${++this.seq}`,
            hits: 0,
            remaining: r.count ?? null,
            re: r.path ? globToRegExp(r.path) : null
        };
        this.rules.push(rule);
        return this.public(rule);
    }

    remove(id: string): boolean {
        const n = this.rules.length;
        this.rules = this.rules.filter((r) => r.id !== id);
        return this.rules.length !== n;
    }

    list(): FaultRule[] {
        return this.rules.map((r) => this.public(r));
    }

    clear(): void {
        this.rules = [];
    }

    private public(r: FaultRule & { re: RegExp | null }): FaultRule {
        const { re: _re, ...rest } = r;
        return rest;
    }

    /** The first rule that matches and fires for this request (consumes a count), or null. */
    match(method: string, path: string, objects: string[]): FaultEffect | null {
        for (const rule of this.rules) {
            if (rule.recordError) continue;
            if (rule.method && rule.method !== '*' && rule.method !== method.toUpperCase()) continue;
            if (rule.re && !rule.re.test(path)) continue;
            if (rule.object && !objects.some((o) => o.toLowerCase() === rule.object!.toLowerCase())) continue;
            if (rule.probability !== undefined && Math.random() >= rule.probability) continue;
            this.consume(rule);
            const d = rule.status ? (DEFAULT_CODES[rule.status] ?? ['UNKNOWN_EXCEPTION', `HTTP ${rule.status}`]) : null;
            return {
                rule: this.public(rule),
                latencyMs: rule.latencyMs ?? 0,
                error: rule.status
                    ? { status: rule.status, errorCode: rule.errorCode ?? d![0], message: rule.message ?? d![1] }
                    : null
            };
        }
        return null;
    }

    /**
     * The first record-level rule that matches and fires for one record of a Collections write (consumes a
     * count), or null. `id` is the record's id when it has one (updates, deletes).
     */
    matchRecord(object: string, id: string | undefined): RecordFault | null {
        for (const rule of this.rules) {
            if (!rule.recordError) continue;
            if (rule.object && rule.object.toLowerCase() !== object.toLowerCase()) continue;
            if (rule.recordId && (!id || rule.recordId.slice(0, 15) !== id.slice(0, 15))) continue;
            if (rule.probability !== undefined && Math.random() >= rule.probability) continue;
            this.consume(rule);
            const message =
                rule.message ??
                (rule.recordError === 'UNABLE_TO_LOCK_ROW'
                    ? `unable to obtain exclusive access to this record or 1 records: ${id ?? ''}`.trim()
                    : `${rule.recordError} (fault rule ${rule.id})`);
            return { rule: this.public(rule), errorCode: rule.recordError, message };
        }
        return null;
    }

    private consume(rule: FaultRule): void {
        rule.hits++;
        if (rule.remaining !== null) {
            rule.remaining--;
            if (rule.remaining <= 0) this.rules = this.rules.filter((r) => r !== rule);
        }
    }
}
