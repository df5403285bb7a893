/**
 * Which objects have something that publishes `Record_Change__e` (docs/record-change-contract.md R1): the package's
 * own triggers (force-app/main/default/triggers, each calling `RecordChangeHandler.run()`), a customer's one-line
 * trigger calling `StatisfyChanges.publish()` (the demo ships one for Success_Plan__c under demo/), or a
 * record-triggered flow calling the invocable action. An object with none of these publishes nothing, whatever its
 * Sync_Object__c says, exactly as in a real org. Triggers are read from the source folders the emulator loads;
 * anything else is registered at run time through the control API (`POST /__emulator/package/publishers`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** How an object's changes reach the package. */
export type PublisherKind = 'package-trigger' | 'subscriber-trigger' | 'flow';

/** One registered publisher of an object's changes. */
export interface PublisherRegistration {
    object: string;
    kind: PublisherKind;
    /** The trigger or flow name. */
    name: string;
    /** Read from the loaded source folders, or registered through the control API (persisted). */
    source: 'metadata' | 'control';
}

const TRIGGER_RE = /\btrigger\s+(\w+)\s+on\s+(\w+)\s*\(([^)]*)\)\s*\{([\s\S]*)\}/i;
const PACKAGE_CALL = /\bRecordChangeHandler\s*\.\s*run\s*\(\s*\)/i;
const SUBSCRIBER_CALL = /\b(?:\w+\s*\.\s*)?StatisfyChanges\s*\.\s*publish\s*\(\s*\)/i;

/** Reads the publishing triggers of one source folder (`<dir>/main/default/triggers/*.trigger`). */
export function readPublishingTriggers(sourceDir: string, asPackage: boolean): PublisherRegistration[] {
    const dir = path.join(sourceDir, 'main', 'default', 'triggers');
    if (!fs.existsSync(dir)) return [];
    const out: PublisherRegistration[] = [];
    for (const file of fs.readdirSync(dir).sort()) {
        if (!file.endsWith('.trigger')) continue;
        const text = fs.readFileSync(path.join(dir, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
        const m = TRIGGER_RE.exec(text);
        if (!m || !/after\s+insert/i.test(m[3])) continue;
        const body = m[4];
        if (asPackage && PACKAGE_CALL.test(body))
            out.push({ object: m[2], kind: 'package-trigger', name: m[1], source: 'metadata' });
        else if (SUBSCRIBER_CALL.test(body))
            out.push({ object: m[2], kind: 'subscriber-trigger', name: m[1], source: 'metadata' });
    }
    return out;
}

/** The org's publishers by object (object names compared case-insensitively). */
export class PublisherRegistry {
    private readonly byObject = new Map<string, PublisherRegistration[]>();

    /** Adds a registration (replacing one of the same object and name). */
    register(r: PublisherRegistration): void {
        const key = r.object.toLowerCase();
        const list = (this.byObject.get(key) ?? []).filter((x) => x.name.toLowerCase() !== r.name.toLowerCase());
        list.push({ ...r });
        this.byObject.set(key, list);
    }

    /** Removes an object's registration by name (or all of the object's); returns how many were removed. */
    unregister(object: string, name?: string): number {
        const key = object.toLowerCase();
        const list = this.byObject.get(key) ?? [];
        const keep = name ? list.filter((x) => x.name.toLowerCase() !== name.toLowerCase()) : [];
        if (keep.length) this.byObject.set(key, keep);
        else this.byObject.delete(key);
        return list.length - keep.length;
    }

    /** True when something publishes this object's changes (R1). */
    publishes(object: string): boolean {
        return (this.byObject.get(object.toLowerCase())?.length ?? 0) > 0;
    }

    /** Every registration, sorted by object then name. */
    list(): PublisherRegistration[] {
        return [...this.byObject.values()]
            .flat()
            .sort((a, b) => a.object.localeCompare(b.object) || a.name.localeCompare(b.name));
    }

    /** Registrations made through the control API (persisted with the org). */
    runtime(): PublisherRegistration[] {
        return this.list().filter((r) => r.source === 'control');
    }
}
