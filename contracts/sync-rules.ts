/**
 * The sync rules every part of the product names the same way (contract, ARCHITECTURE §2 and §3): the three
 * writeback rules and the reasons a field does not push, the conflict policies with what each one means, and the
 * record change types. Written once: the companion, the emulator and the web app's build import this file, and
 * `force-app/test/checks` holds the package's Apex and LWCs to the same strings. No imports: it is bundled into
 * the browser as it is.
 */

/** Exact reason strings, in the order the rules are checked (the package's Apex and LWCs use the same strings). */
export const REASONS = {
    syncOff: 'Sync to Salesforce is off for this object',
    notEditable: 'Field is not Editable',
    noSalesforceField: 'No Salesforce field API name: the field stays in Statisfy',
    inactive: 'Mapping is inactive'
} as const;

/** One of {@link REASONS}. */
export type WritebackReason = (typeof REASONS)[keyof typeof REASONS];

/** The parts of an object and a mapping the rules look at. */
export interface WritebackInput {
    object: { syncToSalesforce: boolean };
    mapping: { editable: boolean; salesforceField: string | null; active: boolean };
}

/** Every rule that keeps this field's edits in Statisfy, in rule order; empty when they are written back. */
export function writebackReasons({ object, mapping }: WritebackInput): WritebackReason[] {
    const reasons: WritebackReason[] = [];
    if (!object.syncToSalesforce) reasons.push(REASONS.syncOff);
    if (!mapping.editable) reasons.push(REASONS.notEditable);
    if (!mapping.salesforceField || mapping.salesforceField.trim() === '') reasons.push(REASONS.noSalesforceField);
    if (!mapping.active) reasons.push(REASONS.inactive);
    return reasons;
}

/** The first rule that keeps this field's edits in Statisfy, or null when they are written back to Salesforce. */
export function writebackReason(input: WritebackInput): WritebackReason | null {
    return writebackReasons(input)[0] ?? null;
}

/** The message answered when an object's Sync to Salesforce is switched on (§2). */
export function writebackEnabledMessage(objectLabel: string): string {
    return `Writeback to Salesforce is enabled for ${objectLabel}`;
}

/** The object's conflict policy (`Sync_Object__c.Conflict_Policy__c` picklist values). */
export type ConflictPolicy = 'Latest_Wins' | 'Salesforce_Wins' | 'Statisfy_Wins' | 'Manual';

/** Policies in the order the picklist lists them; `Latest_Wins` is the default. */
export const CONFLICT_POLICIES: readonly ConflictPolicy[] = [
    'Latest_Wins',
    'Salesforce_Wins',
    'Statisfy_Wins',
    'Manual'
];

/** The default policy of a new synced object. */
export const DEFAULT_CONFLICT_POLICY: ConflictPolicy = 'Latest_Wins';

/** What each policy means, as the Object Manager and the docs explain it. */
export const CONFLICT_POLICY_INFO: Readonly<Record<ConflictPolicy, { label: string; description: string }>> = {
    Latest_Wins: {
        label: 'Latest wins',
        description:
            "When both sides changed a field, the later change is kept (Salesforce's modification time against the time of the Statisfy edit); the other is recorded as a resolved conflict."
    },
    Salesforce_Wins: {
        label: 'Salesforce wins',
        description:
            "When both sides changed a field, Salesforce's value is kept; the Statisfy edit is recorded as a resolved conflict."
    },
    Statisfy_Wins: {
        label: 'Statisfy wins',
        description:
            "When both sides changed a field, the Statisfy edit is written over Salesforce's value, which is recorded."
    },
    Manual: {
        label: 'Manual',
        description:
            'When both sides changed a field, nothing is written until a person picks a value on the Sync page.'
    }
};

/** True for one of {@link CONFLICT_POLICIES}. */
export function isConflictPolicy(value: unknown): value is ConflictPolicy {
    return typeof value === 'string' && (CONFLICT_POLICIES as readonly string[]).includes(value);
}

/** A record change type (`Record_Change__e.Change_Type__c`, rule R5). */
export type ChangeType = 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';

/** The change types, in R5's order. */
export const CHANGE_TYPES: readonly ChangeType[] = ['CREATE', 'UPDATE', 'DELETE', 'UNDELETE'];
