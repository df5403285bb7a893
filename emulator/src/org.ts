/**
 * One emulated org without its HTTP front: schema, records, clock, event bus, auth, the package's
 * Record_Change__e behaviour, API counters, fault rules and query cursors. `server.ts` puts HTTP in
 * front of it; the control API and tests drive it directly.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { devJwtCertificatePem } from './auth/dev-jwt';
import { AuthService } from './auth/service';
import type { EmulatorUser } from './auth/types';
import { Clock } from './clock';
import { FaultEngine } from './faults';
import { ApiCounter, DeliveryAllocation } from './limits';
import { RecordChangePublisher } from './package/record-change';
import { PublisherRegistry, readPublishingTriggers } from './package/triggers';
import { SchemaRegistry, type FieldDef, type ObjectDef } from './schema/registry';
import type { ObjectSchema } from './schema/types';
import { executeSoql, SoqlError, type SoqlDataSource, type SoqlResult } from './soql';
import { makeId } from './store/ids';
import { RecordStore, type Rec } from './store/store';
import { EventBus } from './streaming';

/** Repository root (emulator/src/.. /..). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Emulator fixtures folder. */
export const FIXTURES = path.join(REPO_ROOT, 'emulator', 'fixtures');

/** Options of an org. */
export interface OrgOptions {
    /** Package namespace: '' (unprefixed, as in a scratch org) or e.g. 'statisfy' (subscriber org). */
    namespace?: string;
    /** Lifetime of access tokens in ms (default 2 h, Salesforce's default session timeout). */
    accessTokenTtlMs?: number;
    /** CometD long-poll hold in ms (default 110 000, Salesforce's). */
    cometdTimeoutMs?: number;
    /** Platform-event deliveries per rolling 24 h (default 25 000, Enterprise Edition). */
    dailyDeliveryMax?: number;
    /** The package source folder (default `<repo>/force-app`). */
    forceAppDir?: string;
    /** The demo's unpackaged source folder (default `<repo>/demo`). */
    demoDir?: string;
    /** The emulator's base URL (known once the server listens). */
    instanceUrl: () => string;
}

interface OrgFixture {
    orgId: string;
    orgName: string;
    connectedApp: { clientId: string; clientSecret: string; callbackUrls: string[] };
    users: Array<{
        username: string;
        password: string;
        firstName: string;
        lastName: string;
        email: string;
        alias: string;
        isActive: boolean;
        profileName: string;
        timeZoneSidKey: string;
        title?: string;
    }>;
}

/** A query result kept for queryMore. */
interface Cursor {
    records: Array<Record<string, unknown>>;
    totalSize: number;
    /** Batch size of the original query (used when queryMore sends no Sforce-Query-Options). */
    batchSize: number;
    lastUsed: number;
}

/** Maximum number of open query cursors (oldest are dropped), like Salesforce's per-user cursor limit. */
export const MAX_CURSORS = 50;
/** Query locators expire after this long without use (emulator clock). */
export const CURSOR_IDLE_MS = 15 * 60_000;

/** An emulated org. */
export class Org {
    readonly clock = new Clock();
    readonly schema: SchemaRegistry;
    readonly store: RecordStore;
    readonly bus: EventBus;
    readonly auth: AuthService;
    readonly publisher: RecordChangePublisher;
    readonly api: ApiCounter;
    /** The platform-event delivery allocation (DailyDeliveredPlatformEvents), shared by CometD and Pub/Sub. */
    readonly deliveries: DeliveryAllocation;
    /** The Pub/Sub API endpoint serving this org, once the server started one. */
    pubsub: { stats(): { subscriptions: number; delivered: number } } | null = null;
    readonly faults = new FaultEngine();
    readonly orgId: string;
    readonly orgName: string;
    readonly users: EmulatorUser[];
    readonly clientId: string;
    private cursors = new Map<string, Cursor>();
    private cursorSeq = 0;
    /** Custom objects/fields/validation rules added at run time (persisted and replayed). */
    readonly runtimeSchema: Array<
        { kind: 'object'; def: ObjectDef } | { kind: 'field'; object: string; def: FieldDef }
    > = [];

    constructor(readonly opts: OrgOptions) {
        const fixture = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'org.json'), 'utf8')) as OrgFixture;
        this.orgId = fixture.orgId;
        this.orgName = fixture.orgName;
        this.clientId = fixture.connectedApp.clientId;
        this.users = fixture.users.map((u, i) => ({
            id: makeId('005', 62 ** 4 * 7 + i * 1009 + 3),
            username: u.username,
            password: u.password,
            firstName: u.firstName,
            lastName: u.lastName,
            email: u.email,
            isActive: u.isActive,
            profileName: u.profileName,
            timeZoneSidKey: u.timeZoneSidKey
        }));
        this.userFixture = fixture.users;

        this.schema = new SchemaRegistry(opts.namespace ?? '');
        this.schema.loadFixture(path.join(FIXTURES, 'standard-objects.json'));
        const forceApp = opts.forceAppDir ?? path.join(REPO_ROOT, 'force-app');
        this.schema.loadMetadataDir(path.join(forceApp, 'main', 'default', 'objects'), true);
        const demo = opts.demoDir ?? path.join(REPO_ROOT, 'demo');
        this.schema.loadMetadataDir(path.join(demo, 'main', 'default', 'objects'), false);
        if (!this.schema.get('Success_Plan__c')) {
            // Fallback when the demo metadata is not in the tree.
            const def = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'success-plan.json'), 'utf8')) as ObjectDef;
            this.schema.define(def);
        }

        this.ensureBatchedEventFields();
        const publishers = new PublisherRegistry();
        for (const [dir, asPackage] of [
            [forceApp, true],
            [demo, false]
        ] as const)
            for (const t of readPublishingTriggers(dir, asPackage))
                publishers.register({ ...t, object: this.schema.get(this.schema.pkg(t.object))?.name ?? t.object });

        this.store = new RecordStore(this.schema, this.clock, this.orgId);
        this.api = new ApiCounter(this.clock);
        this.deliveries = new DeliveryAllocation(this.clock, opts.dailyDeliveryMax);
        this.auth = new AuthService({
            clock: this.clock,
            orgId: this.orgId,
            orgName: this.orgName,
            instanceUrl: opts.instanceUrl,
            users: () => this.users,
            connectedApp: { ...fixture.connectedApp, certificatePem: this.certificate() },
            accessTokenTtlMs: opts.accessTokenTtlMs ?? 2 * 3600_000
        });
        this.bus = new EventBus({
            clock: this.clock,
            connectTimeoutMs: opts.cometdTimeoutMs,
            allocation: this.deliveries,
            authenticate: (token) => {
                const s = this.auth.validate(token);
                return s ? { userId: s.userId } : null;
            },
            eventExists: (name) => !!this.schema.get(name)?.isEvent && this.schema.get(name)!.name === name,
            eventFields: (name) => this.eventFields(name),
            eventFieldTypes: (name) => {
                const o = this.schema.get(name);
                const out: Record<string, string> = {};
                if (o) for (const f of o.fields.values()) out[f.name] = f.type;
                return out;
            }
        });
        this.publisher = new RecordChangePublisher(
            this.schema,
            this.store,
            this.bus,
            (obj, records, filter) => this.filterRecords(obj, records, filter),
            publishers
        );
        this.store.onCommit((changes, tx) => this.publisher.onCommit(changes, tx));
        this.insertUsers();
    }

    private readonly userFixture: OrgFixture['users'];

    /** The connected app's JWT certificate: the development certificate under fixtures/dev-jwt. */
    private certificate(): string | null {
        return devJwtCertificatePem();
    }

    private eventFields(name: string): string[] {
        const o = this.schema.get(name);
        if (!o) return [];
        return [...o.fields.values()].filter((f) => f.custom).map((f) => f.name);
    }

    /** User records in the store (the User sObject), with the fixture's ids. */
    private insertUsers(): void {
        const admin = this.users[0].id;
        const tx = this.store.begin(admin);
        this.users.forEach((u, i) => {
            const f = this.userFixture[i];
            this.store.insertWithId(tx, 'User', u.id, {
                Username: u.username,
                FirstName: u.firstName,
                LastName: u.lastName,
                Alias: f.alias,
                Email: u.email,
                IsActive: u.isActive,
                Title: f.title ?? null,
                ProfileName: u.profileName,
                UserType: 'Standard',
                TimeZoneSidKey: u.timeZoneSidKey,
                LocaleSidKey: 'en_US',
                LanguageLocaleKey: 'en_US',
                EmailEncodingKey: 'UTF-8',
                CompanyName: this.orgName
            });
        });
        // The Organization record (`SELECT … FROM Organization`, read by the sf CLI on login and `org display`).
        this.store.insertWithId(tx, 'Organization', this.orgId, {
            Name: this.orgName,
            InstanceName: 'EMU1',
            IsSandbox: false,
            OrganizationType: 'Developer Edition',
            NamespacePrefix: this.schema.namespace || null,
            TrialExpirationDate: null,
            LanguageLocaleKey: 'en_US',
            DefaultLocaleSidKey: 'en_US',
            TimeZoneSidKey: this.users[0].timeZoneSidKey
        });
        this.store.commit(tx);
    }

    /** A user by username (case-insensitive) or id. */
    user(nameOrId: string): EmulatorUser | undefined {
        const k = String(nameOrId).toLowerCase();
        return this.users.find(
            (u) => u.username.toLowerCase() === k || u.id.toLowerCase() === k || u.id.slice(0, 15).toLowerCase() === k
        );
    }

    /** The admin user (`admin@statisfy.test`). */
    get adminUser(): EmulatorUser {
        return this.users[0];
    }

    /** The integration user (`integration@statisfy.test`). */
    get integrationUser(): EmulatorUser {
        return this.user('integration@statisfy.test') ?? this.users[1];
    }

    /** SOQL data source over this org's store. */
    readonly soqlSource: SoqlDataSource = {
        describe: (name) => this.queryable(name),
        records: (name, o) => this.store.records(name, o.includeDeleted),
        byId: (id) => {
            const r = this.store.get(id);
            return r ? { objectName: r.obj.name, record: r.rec } : undefined;
        },
        childRelationships: (name) => {
            const out: Array<{ relationshipName: string; childObject: string; field: string }> = [];
            const lower = name.toLowerCase();
            for (const c of this.schema.all())
                for (const f of c.fields.values()) {
                    if (f.type !== 'reference' || !f.referenceTo.some((r) => r.toLowerCase() === lower)) continue;
                    const rel = this.schema.fieldExtra(c, f.name)?.childRelationshipName;
                    if (rel && c.queryable) out.push({ relationshipName: rel, childObject: c.name, field: f.name });
                }
            return out;
        },
        now: () => this.clock.now()
    };

    private queryable(name: string): ObjectSchema | undefined {
        const o = this.schema.get(name);
        return o && o.queryable ? o : undefined;
    }

    /** Runs a query (throws SoqlError). */
    query(soql: string, includeDeleted: boolean, apiVersion: string): SoqlResult {
        return executeSoql(soql, this.soqlSource, { includeDeleted, apiVersion });
    }

    /**
     * The batched `Record_Change__e` fields (contracts/record-change.ts) when the loaded package source predates
     * them, so the emulator publishes the current contract either way; the package's own metadata wins when present.
     */
    private ensureBatchedEventFields(): void {
        const p = (n: string) => this.schema.pkg(n);
        const event = this.schema.get(p('Record_Change__e'));
        if (!event) return;
        const defs: FieldDef[] = [
            { name: p('Records__c'), label: 'Records', type: 'textarea', length: 131072 },
            { name: p('Part__c'), label: 'Part', type: 'double', precision: 3, scale: 0 },
            { name: p('Part_Count__c'), label: 'Part Count', type: 'double', precision: 3, scale: 0 }
        ];
        for (const d of defs) if (!this.schema.getField(event, d.name)) this.schema.addField(event.name, d);
    }

    /**
     * R4: `SELECT Id FROM obj WHERE Id IN :ids AND (filter)` as the trigger runs it: over the chunk's records as
     * its DML statement left them (later statements of the same transaction not yet applied).
     */
    private filterRecords(objectName: string, records: Rec[], filter: string): Set<string> | Error {
        const byId = new Map(records.map((r) => [String(r.Id), r]));
        const source: SoqlDataSource = {
            ...this.soqlSource,
            records: (name, o) =>
                name.toLowerCase() === objectName.toLowerCase() ? records : this.store.records(name, o.includeDeleted),
            byId: (id) => {
                const snap = byId.get(id);
                return snap ? { objectName, record: snap } : this.soqlSource.byId(id);
            }
        };
        try {
            const r = executeSoql(
                `SELECT Id FROM ${objectName} WHERE Id IN (${records.map((x) => `'${String(x.Id)}'`).join(',')}) AND (${filter})`,
                source,
                { includeDeleted: false, apiVersion: '60.0' }
            );
            return new Set(r.records.map((x) => x.Id as string));
        } catch (e) {
            return e instanceof SoqlError ? e : new Error(String(e));
        }
    }

    /* ------------------------------------------------------------ query cursors */

    /** Stores a result for queryMore and returns its query id. */
    openCursor(result: SoqlResult, batchSize = 2000): string {
        const id = makeId('01g', 62 ** 5 * 11 + ++this.cursorSeq).slice(0, 18);
        this.cursors.set(id, {
            records: result.records,
            totalSize: result.totalSize,
            batchSize,
            lastUsed: this.clock.nowMs()
        });
        if (this.cursors.size > MAX_CURSORS) {
            const oldest = [...this.cursors.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
            this.cursors.delete(oldest[0]);
        }
        return id;
    }

    /** A stored result, or undefined when the locator is unknown or expired. */
    cursor(id: string): Cursor | undefined {
        const c = this.cursors.get(id);
        if (!c) return undefined;
        const now = this.clock.nowMs();
        if (now - c.lastUsed > CURSOR_IDLE_MS) {
            this.cursors.delete(id);
            return undefined;
        }
        c.lastUsed = now;
        return c;
    }

    /** Closes a cursor once its last batch was served. */
    closeCursor(id: string): void {
        this.cursors.delete(id);
    }

    /* ------------------------------------------------------------ runtime schema */

    /** Adds a custom object at run time (control API). */
    addObject(def: ObjectDef): ObjectSchema {
        const o = this.schema.define(def, { custom: true });
        this.runtimeSchema.push({ kind: 'object', def });
        return o;
    }

    /** Adds a custom field at run time (control API). */
    addField(objectName: string, def: FieldDef): void {
        const f = this.schema.addField(objectName, def);
        const obj = this.schema.get(objectName)!;
        for (const r of this.store.records(obj.name, true)) if (!(f.name in r)) r[f.name] = f.defaultValue ?? null;
        this.runtimeSchema.push({ kind: 'field', object: obj.name, def });
    }

    /** Empties the org: records, events, cursors, counters, faults (schema additions stay). */
    reset(): void {
        this.store.reset();
        this.bus.reset();
        this.cursors.clear();
        this.api.reset();
        this.deliveries.reset();
        this.faults.clear();
        this.publisher.resetStats();
        this.insertUsers();
    }
}
