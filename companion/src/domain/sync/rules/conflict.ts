/**
 * Conflict decisions and the echo test. Pure functions shared by the flusher's pre-write check and the
 * inbound apply, so a divergence found on either path ends the same way.
 */
import type { ConflictPolicy } from '../../../../../contracts/sync-rules';
import { sameValue } from './values';

/** What the sync knows about one field that Statisfy wants to write. */
export interface ConflictInput {
    policy: ConflictPolicy;
    /** The Salesforce value the Statisfy edit was based on. */
    baseValue: unknown;
    /** The value the Statisfy user wrote. */
    statisfyValue: unknown;
    /** The value Salesforce holds now. */
    salesforceValue: unknown;
    /** SystemModstamp of the Salesforce record now (null when unknown). */
    salesforceModstamp: Date | null;
    /** When the Statisfy edit was made. */
    editedAt: Date;
}

/**
 * - `send`: Salesforce still holds the base value; write the edit.
 * - `already`: Salesforce already holds the edit's value (ours, or the same change made there); nothing to send.
 * - `statisfy_wins`: a divergence; the edit is written anyway (conflict recorded as resolved).
 * - `salesforce_wins`: a divergence; the edit is dropped and Statisfy takes Salesforce's value (conflict recorded).
 * - `park`: a divergence under `Manual`; nothing is written until a person resolves it (conflict open).
 */
export type ConflictDecision = 'send' | 'already' | 'statisfy_wins' | 'salesforce_wins' | 'park';

/** Decides what happens to an edit given what Salesforce holds now (see {@link ConflictDecision}). */
export function decideConflict(input: ConflictInput): ConflictDecision {
    if (sameValue(input.salesforceValue, input.statisfyValue)) return 'already';
    if (sameValue(input.salesforceValue, input.baseValue)) return 'send';
    switch (input.policy) {
        case 'Statisfy_Wins':
            return 'statisfy_wins';
        case 'Salesforce_Wins':
            return 'salesforce_wins';
        case 'Manual':
            return 'park';
        case 'Latest_Wins':
            // Unknown Salesforce time: the Salesforce change was seen after the edit was made, so it is the later one.
            if (!input.salesforceModstamp) return 'salesforce_wins';
            return input.salesforceModstamp.getTime() > input.editedAt.getTime() ? 'salesforce_wins' : 'statisfy_wins';
        default:
            throw new Error(`Unknown conflict policy: ${String(input.policy)}`);
    }
}

/** True when a decision is a divergence that must be recorded as a conflict row. */
export function isDivergence(decision: ConflictDecision): boolean {
    return decision === 'statisfy_wins' || decision === 'salesforce_wins' || decision === 'park';
}

/** An open (pending or in-flight) Statisfy edit of one field. */
export interface OpenEdit {
    id: string;
    status: 'pending' | 'in_flight';
    newValue: unknown;
    baseValue: unknown;
    createdAt: Date;
}

/**
 * What an inbound value of one field means:
 * - `unchanged`: equal to the last known Salesforce value (a replay, or a field another change did not touch);
 * - `echo`: equal to the value of our own open edit (our write coming back, or the same change made there);
 * - `change`: a Salesforce change with no open edit; apply it;
 * - `conflict`: a Salesforce change to a field with an open edit of another value; the policy decides.
 */
export type InboundFieldKind = 'unchanged' | 'echo' | 'change' | 'conflict';

/**
 * The echo test, by VALUE: an inbound value equal to what we wrote is our echo, anything else is a change,
 * whatever the event's Origin__c says (automation may change other fields in the same transaction).
 */
export function classifyInboundField(
    inbound: unknown,
    lastKnown: unknown,
    openEdit: OpenEdit | undefined,
    hasLastKnown = true
): InboundFieldKind {
    if (openEdit && sameValue(inbound, openEdit.newValue)) return 'echo';
    if (hasLastKnown && sameValue(inbound, lastKnown)) return 'unchanged';
    if (openEdit) return 'conflict';
    return 'change';
}
