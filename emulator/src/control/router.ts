/**
 * The control API under `/__emulator/` (only when the emulator runs with the control API on; it
 * does not exist in a real org). JSON in, JSON out; bad input gets 400 `{"error": "..."}` naming it.
 * Every endpoint is documented in docs/emulator.md.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Org } from '../org';
import type { RestApi } from '../rest/api';
import type { FieldDef, ObjectDef } from '../schema/registry';
import { applySeed, parseSeed } from '../seed/seed';
import { DmlError, type Rec } from '../store/store';
import { buildRule, type ValidationRuleInput } from './rules';

/** Things the control API needs besides the org. */
export interface ControlHost {
    org: Org;
    api: RestApi;
    url(): string;
    /** Called after every change (persistence). */
    touch(): void;
    /** Validation rules as registered (persisted). */
    ruleInputs: ValidationRuleInput[];
}

class BadInput extends Error {}

function body(req: Request): Record<string, unknown> {
    const b = req.body as unknown;
    if (b === undefined || b === null || b === '') return {};
    if (typeof b !== 'object' || Array.isArray(b)) throw new BadInput('request body must be a JSON object');
    return b as Record<string, unknown>;
}

/** Registers a rule on the org (used by the router and by persistence on restore). */
export function registerRule(org: Org, input: ValidationRuleInput): void {
    if (!input || typeof input !== 'object') throw new BadInput('body must be a JSON object');
    const obj = typeof input.object === 'string' ? org.schema.get(input.object) : undefined;
    if (!obj) throw new BadInput(`object: no sObject named ${JSON.stringify(input.object)}`);
    const rule = buildRule(input, (f) => org.schema.getField(obj, f)?.name ?? null);
    obj.validationRules = obj.validationRules.filter((r) => r.name !== rule.name);
    obj.validationRules.push(rule);
}

/** Creates the control router. */
export function createControlRouter(host: ControlHost): Router {
    const { org } = host;
    const r = express.Router();
    r.use(express.json({ limit: '10mb' }));

    const wrap =
        (fn: (req: Request, res: Response) => unknown) =>
        (req: Request, res: Response): void => {
            try {
                const out = fn(req, res);
                if (!res.headersSent) res.status(200).json(out ?? { ok: true });
                if (req.method !== 'GET') host.touch();
            } catch (e) {
                if (e instanceof BadInput) res.status(400).json({ error: e.message });
                else if (e instanceof DmlError)
                    res.status(e.httpStatus === 300 ? 400 : e.httpStatus).json({
                        error: e.message,
                        errorCode: e.statusCode,
                        fields: e.fields
                    });
                else if (e instanceof Error && /must|unknown|no |needs|already|not /.test(e.message))
                    res.status(400).json({ error: e.message });
                else res.status(500).json({ error: String((e as Error)?.message ?? e) });
            }
        };

    const userFor = (as: unknown): string => {
        if (as === undefined || as === null) return org.adminUser.id;
        if (typeof as !== 'string') throw new BadInput("'as' must be a username or user id");
        const u = org.user(as);
        if (!u) throw new BadInput(`as: no user '${as}' (users: ${org.users.map((x) => x.username).join(', ')})`);
        return u.id;
    };

    r.get(
        '/',
        wrap(() => ({
            url: host.url(),
            orgId: org.orgId,
            orgName: org.orgName,
            namespace: org.schema.namespace,
            clientId: org.clientId,
            users: org.users.map((u) => ({ id: u.id, username: u.username, name: `${u.firstName} ${u.lastName}` })),
            clock: { now: org.clock.now().toISOString(), offsetMs: org.clock.offset }
        }))
    );

    r.post(
        '/reset',
        wrap((req) => {
            const b = body(req);
            const seed = b.seed === undefined ? 'empty' : parseSeedOr400(b.seed);
            org.reset();
            host.api.bulk.reset();
            return { ok: true, seed, counts: applySeed(org, seed) };
        })
    );

    r.post(
        '/seed',
        wrap((req) => {
            const b = body(req);
            const seed = parseSeedOr400(b.seed);
            if (b.reset !== undefined && typeof b.reset !== 'boolean')
                throw new BadInput("'reset' must be true or false");
            if (b.reset !== false) {
                org.reset();
                host.api.bulk.reset();
            }
            return { ok: true, seed, counts: applySeed(org, seed) };
        })
    );

    r.get(
        '/clock',
        wrap(() => ({ now: org.clock.now().toISOString(), offsetMs: org.clock.offset }))
    );
    r.post(
        '/clock/advance',
        wrap((req) => {
            const b = body(req);
            const units: Record<string, number> = {
                ms: 1,
                seconds: 1000,
                minutes: 60_000,
                hours: 3_600_000,
                days: 86_400_000
            };
            const keys = Object.keys(b).filter((k) => k in units);
            if (keys.length !== 1)
                throw new BadInput(
                    `give exactly one of ${Object.keys(units).join(', ')} (a number), got ${JSON.stringify(b)}`
                );
            const v = b[keys[0]];
            if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
                throw new BadInput(`'${keys[0]}' must be a non-negative number, got ${JSON.stringify(v)}`);
            org.clock.advance(v * units[keys[0]]);
            return { now: org.clock.now().toISOString(), offsetMs: org.clock.offset };
        })
    );

    r.get(
        '/faults',
        wrap(() => ({ rules: org.faults.list() }))
    );
    r.post(
        '/faults',
        wrap((req) => {
            try {
                return { rule: org.faults.add(req.body) };
            } catch (e) {
                throw new BadInput((e as Error).message);
            }
        })
    );
    r.delete(
        '/faults',
        wrap(() => {
            org.faults.clear();
            return { ok: true };
        })
    );
    r.post(
        '/faults/drop-cometd',
        wrap(() => {
            const before = org.bus.stats().clients;
            org.bus.dropConnections();
            return { ok: true, dropped: before };
        })
    );
    r.post(
        '/faults/expire-sessions',
        wrap(() => {
            org.auth.expireAllSessions();
            return { ok: true };
        })
    );
    r.delete(
        '/faults/:id',
        wrap((req) => {
            if (!org.faults.remove(String(req.params.id))) throw new BadInput(`no fault rule '${req.params.id}'`);
            return { ok: true };
        })
    );

    r.get(
        '/api-usage',
        wrap(() => org.api.report())
    );
    r.post(
        '/api-usage',
        wrap((req) => {
            const b = body(req);
            if (b.max !== undefined) {
                if (!Number.isInteger(b.max) || (b.max as number) < 1)
                    throw new BadInput(`'max' must be a positive integer, got ${JSON.stringify(b.max)}`);
                org.api.max = b.max as number;
            }
            if (b.used !== undefined) {
                if (!Number.isInteger(b.used) || (b.used as number) < 0)
                    throw new BadInput(`'used' must be a non-negative integer, got ${JSON.stringify(b.used)}`);
                org.api.setUsed(b.used as number);
            }
            return org.api.report();
        })
    );

    // The platform-event delivery allocation (DailyDeliveredPlatformEvents), per rolling 24 h.
    r.get(
        '/event-deliveries',
        wrap(() => org.deliveries.report())
    );
    r.post(
        '/event-deliveries',
        wrap((req) => {
            const b = body(req);
            if (b.max !== undefined) {
                if (!Number.isInteger(b.max) || (b.max as number) < 0)
                    throw new BadInput(`'max' must be a non-negative integer, got ${JSON.stringify(b.max)}`);
                org.deliveries.max = b.max as number;
            }
            if (b.used !== undefined) {
                if (!Number.isInteger(b.used) || (b.used as number) < 0)
                    throw new BadInput(`'used' must be a non-negative integer, got ${JSON.stringify(b.used)}`);
                org.deliveries.setUsed(b.used as number);
            }
            return org.deliveries.report();
        })
    );

    r.get(
        '/events',
        wrap(() => ({
            ...org.bus.stats(),
            pubsubSubscriptions: org.pubsub?.stats().subscriptions ?? 0,
            pubsubDelivered: org.pubsub?.stats().delivered ?? 0,
            recordChange: { ...org.publisher.stats }
        }))
    );

    // R1: which objects have a trigger or flow publishing Record_Change__e (a customer's trigger or flow).
    r.get(
        '/package/publishers',
        wrap(() => ({ publishers: org.publisher.publishers.list() }))
    );
    r.post(
        '/package/publishers',
        wrap((req) => {
            const b = body(req);
            const obj = typeof b.object === 'string' ? org.schema.get(b.object) : undefined;
            if (!obj || obj.isEvent) throw new BadInput(`object: no sObject named ${JSON.stringify(b.object)}`);
            const kind = b.kind ?? 'subscriber-trigger';
            if (kind !== 'subscriber-trigger' && kind !== 'flow')
                throw new BadInput(`kind must be 'subscriber-trigger' or 'flow', got ${JSON.stringify(b.kind)}`);
            const name =
                b.name ?? (kind === 'flow' ? `${obj.name}_Publish_Changes` : `${obj.name.replace(/__c$/i, '')}Trigger`);
            if (typeof name !== 'string' || !/^[A-Za-z]\w{0,79}$/.test(name))
                throw new BadInput(`name must be an API name, got ${JSON.stringify(b.name)}`);
            org.publisher.publishers.register({ object: obj.name, kind, name, source: 'control' });
            return { publishers: org.publisher.publishers.list() };
        })
    );
    // The package version the org runs: 'batched' (current) or 'legacy' (one event per record, older versions).
    r.get(
        '/package/shape',
        wrap(() => ({ shape: org.publisher.shape }))
    );
    r.post(
        '/package/shape',
        wrap((req) => {
            const shape = body(req).shape;
            if (shape !== 'batched' && shape !== 'legacy')
                throw new BadInput(`shape must be 'batched' or 'legacy', got ${JSON.stringify(shape)}`);
            org.publisher.shape = shape;
            return { shape };
        })
    );
    r.delete(
        '/package/publishers/:object',
        wrap((req) => {
            const name = typeof req.query.name === 'string' ? req.query.name : undefined;
            const removed = org.publisher.publishers.unregister(String(req.params.object), name);
            if (removed === 0) throw new BadInput(`no publisher registered for '${req.params.object}'`);
            return { publishers: org.publisher.publishers.list() };
        })
    );

    r.get(
        '/objects',
        wrap(() => ({
            objects: org.schema
                .all()
                .map((o) => ({ name: o.name, keyPrefix: o.keyPrefix, custom: o.custom, isEvent: o.isEvent }))
        }))
    );
    r.post(
        '/objects',
        wrap((req) => {
            const def = body(req) as unknown as ObjectDef;
            if (!Array.isArray(def.fields)) def.fields = [];
            try {
                const o = org.addObject(def);
                return { name: o.name, keyPrefix: o.keyPrefix, fields: [...o.fields.keys()] };
            } catch (e) {
                throw new BadInput((e as Error).message);
            }
        })
    );
    r.post(
        '/objects/:name/fields',
        wrap((req) => {
            try {
                org.addField(String(req.params.name), body(req) as unknown as FieldDef);
            } catch (e) {
                throw new BadInput((e as Error).message);
            }
            return { ok: true };
        })
    );

    r.get(
        '/validation-rules',
        wrap(() => ({ rules: host.ruleInputs }))
    );
    r.post(
        '/validation-rules',
        wrap((req) => {
            const input = body(req) as unknown as ValidationRuleInput;
            try {
                registerRule(org, input);
            } catch (e) {
                throw new BadInput((e as Error).message);
            }
            host.ruleInputs.splice(
                0,
                host.ruleInputs.length,
                ...host.ruleInputs.filter(
                    (x) => !(x.name === input.name && x.object.toLowerCase() === input.object.toLowerCase())
                ),
                input
            );
            return { ok: true };
        })
    );

    const record = (obj: string, id: string) => {
        const f = org.store.get(id);
        if (!f) throw new BadInput(`no record '${id}'`);
        return host.api.recordJson(f.obj, f.rec, '60.0');
    };
    const objectOr400 = (name: string) => {
        const o = org.schema.get(name);
        if (!o || o.isEvent) throw new BadInput(`no sObject named '${name}'`);
        return o;
    };
    r.get(
        '/records/:object/:id',
        wrap((req) => record(String(req.params.object), String(req.params.id)))
    );
    r.post(
        '/records/:object',
        wrap((req) => {
            const o = objectOr400(String(req.params.object));
            const b = body(req);
            const values = (b.values ?? {}) as Rec;
            if (typeof values !== 'object' || Array.isArray(values))
                throw new BadInput("'values' must be an object of field values");
            const userId = userFor(b.as);
            const id = org.store.run(userId, (tx) => {
                tx.nextOp();
                return org.store.insert(tx, o.name, values);
            });
            return record(o.name, id);
        })
    );
    r.patch(
        '/records/:object/:id',
        wrap((req) => {
            const o = objectOr400(String(req.params.object));
            const b = body(req);
            const values = (b.values ?? {}) as Rec;
            if (typeof values !== 'object' || Array.isArray(values))
                throw new BadInput("'values' must be an object of field values");
            const userId = userFor(b.as);
            org.store.run(userId, (tx) => {
                tx.nextOp();
                org.store.update(tx, o.name, String(req.params.id), values);
            });
            return record(o.name, String(req.params.id));
        })
    );
    r.delete(
        '/records/:object/:id',
        wrap((req) => {
            const o = objectOr400(String(req.params.object));
            const userId = userFor(req.query.as);
            org.store.run(userId, (tx) => {
                tx.nextOp();
                org.store.delete(tx, o.name, String(req.params.id));
            });
            return { ok: true };
        })
    );
    r.post(
        '/records/:object/:id/undelete',
        wrap((req) => {
            const o = objectOr400(String(req.params.object));
            const userId = userFor(body(req).as);
            org.store.run(userId, (tx) => {
                tx.nextOp();
                org.store.undelete(tx, o.name, String(req.params.id));
            });
            return record(o.name, String(req.params.id));
        })
    );

    r.use((req: Request, res: Response) => {
        res.status(404).json({ error: `no control endpoint ${req.method} /__emulator${req.path}` });
    });
    // Malformed JSON bodies.
    r.use((err: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
        res.status(400).json({ error: `request body is not valid JSON: ${(err as Error).message}` });
    });
    return r;
}

function parseSeedOr400(s: unknown) {
    try {
        return parseSeed(s);
    } catch (e) {
        throw new BadInput((e as Error).message);
    }
}
