/**
 * The three writeback rules of ARCHITECTURE §2 (contract) and the reasons a field does not push.
 *
 * A field is pushed back to Salesforce only when its object has Sync to Salesforce on, the field is Editable, and
 * it has a Salesforce field to write to; an inactive mapping never pushes. The reasons are checked in this order
 * and the first failing one is given; the package's LWCs use the same strings.
 */

/** Exact reason strings (shared with force-app's LWCs and StatisfyConfigController). */
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

/** Why this field's edits stay in Statisfy, or null when they are written back to Salesforce. */
export function writebackReason({ object, mapping }: WritebackInput): WritebackReason | null {
    if (!object.syncToSalesforce) return REASONS.syncOff;
    if (!mapping.editable) return REASONS.notEditable;
    if (!mapping.salesforceField || mapping.salesforceField.trim() === '') return REASONS.noSalesforceField;
    if (!mapping.active) return REASONS.inactive;
    return null;
}

/** The message answered when an object's Sync to Salesforce is switched on (§2). */
export function writebackEnabledMessage(objectLabel: string): string {
    return `Writeback to Salesforce is enabled for ${objectLabel}`;
}
