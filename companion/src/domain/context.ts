/**
 * Who is acting: every use case takes an Actor, so no data path exists without the org.
 */
import type { Role } from '../data/types';

/** The caller of a use case: the org (tenant) it acts in, its role, and a name for the audit log. */
export interface Actor {
    orgId: string;
    role: Role;
    /** Written to audit_log.actor, e.g. `token:ci-bot` or `system`. */
    name: string;
}

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };

/** True when `role` is at least `needed` (viewer < editor < admin). */
export function hasRole(role: Role, needed: Role): boolean {
    return RANK[role] >= RANK[needed];
}

/** The actor for work the companion does on its own (bootstrap, engine). */
export function systemActor(orgId: string): Actor {
    return { orgId, role: 'admin', name: 'system' };
}
