/**
 * Persistence of one org in a data directory: records, id counters, clock offset, API counters,
 * retained events (bus.snapshot()), sessions (auth.snapshot()), runtime schema additions and
 * validation rules, and the Record_Change__e publishers registered at run time. Written atomically (temp file + rename), debounced after changes, and on stop.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { registerRule } from './control/router';
import type { ValidationRuleInput } from './control/rules';
import type { Org } from './org';
import type { PublisherRegistration } from './package/triggers';

const FILE = 'emulator-state.json';
const FORMAT = 'statisfy-emulator-state/1';

interface State {
    format: typeof FORMAT;
    savedAt: string;
    namespace: string;
    clockOffsetMs: number;
    runtimeSchema: Org['runtimeSchema'];
    rules: ValidationRuleInput[];
    store: unknown;
    bus: unknown;
    auth: unknown;
    api: unknown;
    deliveries?: unknown;
    /** R1 publishers registered through the control API. */
    publishers?: PublisherRegistration[];
}

/** Saves and loads an org's state in `dir`. */
export class Persistence {
    private timer: NodeJS.Timeout | null = null;
    private dirty = false;
    readonly file: string;

    constructor(
        private readonly org: Org,
        private readonly dir: string,
        private readonly rules: ValidationRuleInput[],
        private readonly debounceMs = 250
    ) {
        fs.mkdirSync(dir, { recursive: true });
        this.file = path.join(dir, FILE);
    }

    /** Loads the saved state; returns false when there is none. Throws when the file is unreadable. */
    load(): boolean {
        if (!fs.existsSync(this.file)) return false;
        let s: State;
        try {
            s = JSON.parse(fs.readFileSync(this.file, 'utf8')) as State;
        } catch (e) {
            throw new Error(`cannot read emulator state ${this.file}: ${(e as Error).message}`);
        }
        if (s.format !== FORMAT)
            throw new Error(`${this.file} is not an emulator state file (format ${String(s.format)})`);
        if ((s.namespace ?? '') !== this.org.schema.namespace)
            throw new Error(
                `${this.file} was saved with namespace '${s.namespace}' but the emulator runs with '${this.org.schema.namespace}'; use another --data-dir`
            );
        for (const a of s.runtimeSchema ?? []) {
            if (a.kind === 'object' && !this.org.schema.get(a.def.name)) this.org.addObject(a.def);
            else if (a.kind === 'field') {
                const o = this.org.schema.get(a.object);
                if (o && !this.org.schema.getField(o, a.def.name)) this.org.addField(a.object, a.def);
            }
        }
        for (const r of s.rules ?? []) {
            registerRule(this.org, r);
            this.rules.push(r);
        }
        for (const p of s.publishers ?? []) this.org.publisher.publishers.register({ ...p, source: 'control' });
        this.org.clock.setOffset(s.clockOffsetMs ?? 0);
        this.org.store.restore(s.store);
        if (s.bus) this.org.bus.restore(s.bus);
        if (s.auth) this.org.auth.restore(s.auth);
        if (s.api) this.org.api.restore(s.api);
        if (s.deliveries) this.org.deliveries.restore(s.deliveries);
        return true;
    }

    /** Marks the state changed; it is written after the debounce interval. */
    touch(): void {
        this.dirty = true;
        if (this.timer) return;
        this.timer = setTimeout(() => {
            this.timer = null;
            this.save();
        }, this.debounceMs);
        this.timer.unref();
    }

    /** Writes the state now (atomically). */
    save(): void {
        if (this.timer) {
            clearTimeout(this.timer);
            this.timer = null;
        }
        const s: State = {
            format: FORMAT,
            savedAt: new Date().toISOString(),
            namespace: this.org.schema.namespace,
            clockOffsetMs: this.org.clock.offset,
            runtimeSchema: this.org.runtimeSchema,
            rules: this.rules,
            store: this.org.store.snapshot(),
            bus: this.org.bus.snapshot(),
            auth: this.org.auth.snapshot(),
            api: this.org.api.snapshot(),
            deliveries: this.org.deliveries.snapshot(),
            publishers: this.org.publisher.publishers.runtime()
        };
        const tmp = `${this.file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify(s));
        fs.renameSync(tmp, this.file);
        this.dirty = false;
    }

    /** Saves if anything changed since the last save. */
    flush(): void {
        if (this.dirty || this.timer) this.save();
    }
}
