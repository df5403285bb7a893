/**
 * Namespace-aware names of the package's objects and fields. In a subscriber org of the managed package
 * every package name carries the `statisfy__` prefix; in a development org (or the emulator without a
 * namespace) it does not. Standard names (`Account`, `Name`) and the customer's own custom names
 * (`Success_Plan__c`) are never prefixed.
 */

/** Package objects and events (API names without namespace). */
export const PACKAGE_OBJECTS = [
    'Sync_Object__c',
    'Field_Mapping__c',
    'Sync_Status__c',
    'Sync_Error__c',
    'Record_Change__e',
    'Sync_Request__e'
] as const;

/** Object names of the package's configuration records. */
export type PackageObject = (typeof PACKAGE_OBJECTS)[number];

/** Validates a namespace prefix (letters, digits, underscores; up to 15 characters; '' for none). */
export function assertNamespace(namespace: string): void {
    if (namespace !== '' && !/^[A-Za-z][A-Za-z0-9_]{0,14}$/.test(namespace))
        throw new Error(`Invalid Salesforce namespace "${namespace}": letters, digits and _ only, up to 15 characters`);
}

/** Names of one org (with its namespace). */
export class PackageNames {
    readonly prefix: string;

    constructor(readonly namespace: string) {
        assertNamespace(namespace);
        this.prefix = namespace ? `${namespace}__` : '';
    }

    /** The org's name of a package object or package field (`Sync_Object__c` → `statisfy__Sync_Object__c`). */
    n(name: string): string {
        return this.prefix && !name.startsWith(this.prefix) ? `${this.prefix}${name}` : name;
    }

    /** The package-local name of an org name (`statisfy__Key__c` → `Key__c`); other names unchanged. */
    local(name: string): string {
        return this.prefix && name.toLowerCase().startsWith(this.prefix.toLowerCase())
            ? name.slice(this.prefix.length)
            : name;
    }

    /** True when an org object name is one of the package's objects. */
    isPackageObject(orgName: string, object?: PackageObject): boolean {
        const local = this.local(orgName);
        return object ? local === object : (PACKAGE_OBJECTS as readonly string[]).includes(local);
    }

    /** CometD channel of a package platform event. */
    channel(event: 'Record_Change__e' | 'Sync_Request__e'): string {
        return `/event/${this.n(event)}`;
    }

    /** Reads a package field from a record or event payload, accepting either form of the name. */
    get<T = unknown>(row: Record<string, unknown>, field: string): T | undefined {
        const full = this.n(field);
        if (full in row) return row[full] as T;
        return row[field] as T | undefined;
    }
}
