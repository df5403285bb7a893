/**
 * The soak's ledger and verdict: every accepted edit (Statisfy through the REST API, Salesforce through jsforce),
 * every write the org committed on a watched field (from the emulator store's commit listener), and at the end a
 * field-by-field comparison of both sides.
 *
 * Checks (each must be 0 for the soak to pass):
 * - lost: both sides agree on a value that is not the last accepted edit of the field, and nothing explains it
 *   (no recorded conflict or failed edit naming the record, no near-simultaneous edit on the other side);
 * - differences: the two sides disagree, unexplained by an open conflict or failed edit;
 * - echoes: the companion (integration user) wrote a value no Statisfy user edited — a value coming back from
 *   Salesforce — or re-wrote its value over a newer Salesforce edit made after the Statisfy edit was accepted;
 * - duplicates: records in the org or in Statisfy beyond those the soak started with.
 * Pure over its inputs: the soak collects, this module judges.
 */

/** One accepted edit. */
export interface LedgerEdit {
    side: 'statisfy' | 'salesforce';
    object: string;
    id: string;
    /** Salesforce field API name. */
    field: string;
    value: string | number;
    /** When the edit was accepted (the API's 200 or jsforce's success), epoch ms. */
    at: number;
    /** The soak phase it was accepted in. */
    phase?: string;
}

/** A write the org committed on a watched field. */
export interface OrgWrite {
    at: number;
    userId: string;
    object: string;
    id: string;
    field: string;
    value: unknown;
    phase?: string;
}

/** What the soak found, by check. */
export interface Verdict {
    compared: number;
    agreedOnLast: number;
    explainedByConflict: number;
    explainedByFailedEdit: number;
    explainedByRace: number;
    lost: Array<{ object: string; id: string; field: string; final: unknown; last: LedgerEdit }>;
    differences: Array<{ object: string; id: string; field: string; salesforce: unknown; statisfy: unknown }>;
    echoes: Array<{
        object: string;
        id: string;
        field: string;
        value: unknown;
        at: number;
        /** `returned` = a Salesforce value written back; `overwrote` = a newer Salesforce edit replaced. */
        kind: 'returned' | 'overwrote';
        why: string;
        /** Soak phases involved: the write's, and for `overwrote` the overwritten Salesforce edit's. */
        phases: string[];
    }>;
    duplicates: number;
}

/** Inputs of {@link judge}. */
export interface JudgeInput {
    edits: LedgerEdit[];
    writes: OrgWrite[];
    integrationUserId: string;
    /** Final values: `${id}.${field}` → value, per side. */
    salesforce: Map<string, unknown>;
    statisfy: Map<string, unknown>;
    /** Record ids named by a recorded conflict (open or resolved) / by a failed edit, with the field when known. */
    conflicts: Set<string>;
    failed: Set<string>;
    /** Objects whose policy lets Statisfy's edit win a conflict (its older value may legitimately overwrite). */
    statisfyWins: Set<string>;
    duplicates: number;
    /** Edits on the two sides closer than this are a race: either order is a correct outcome. */
    raceMs?: number;
}

const same = (a: unknown, b: unknown) =>
    (a === null || a === undefined || a === '' ? '' : String(a)) ===
    (b === null || b === undefined || b === '' ? '' : String(b));

/** Judges a soak run. */
export function judge(input: JudgeInput): Verdict {
    const raceMs = input.raceMs ?? 1500;
    const v: Verdict = {
        compared: 0,
        agreedOnLast: 0,
        explainedByConflict: 0,
        explainedByFailedEdit: 0,
        explainedByRace: 0,
        lost: [],
        differences: [],
        echoes: [],
        duplicates: input.duplicates
    };
    const byField = new Map<string, LedgerEdit[]>();
    for (const e of input.edits) {
        const k = `${e.id}.${e.field}`;
        if (!byField.has(k)) byField.set(k, []);
        byField.get(k)!.push(e);
    }
    const explained = (id: string, field: string) =>
        input.conflicts.has(id) || input.conflicts.has(`${id}.${field}`)
            ? 'conflict'
            : input.failed.has(id) || input.failed.has(`${id}.${field}`)
              ? 'failed'
              : null;
    for (const [k, list] of byField) {
        list.sort((a, b) => a.at - b.at);
        const last = list[list.length - 1];
        const sf = input.salesforce.get(k);
        const st = input.statisfy.get(k);
        v.compared++;
        const why = explained(last.id, last.field);
        if (!same(sf, st)) {
            if (why === 'conflict') v.explainedByConflict++;
            else if (why === 'failed') v.explainedByFailedEdit++;
            else
                v.differences.push({
                    object: last.object,
                    id: last.id,
                    field: last.field,
                    salesforce: sf,
                    statisfy: st
                });
            continue;
        }
        if (same(sf, last.value)) {
            v.agreedOnLast++;
            continue;
        }
        const racer = list.find((e) => e.side !== last.side && last.at - e.at <= raceMs && same(e.value, sf));
        if (racer) v.explainedByRace++;
        else if (why === 'conflict') v.explainedByConflict++;
        else if (why === 'failed') v.explainedByFailedEdit++;
        else v.lost.push({ object: last.object, id: last.id, field: last.field, final: sf, last });
    }
    // Echoes: every companion write must carry a value a Statisfy user edited on that field …
    const statisfyValues = new Map<string, LedgerEdit[]>();
    for (const e of input.edits)
        if (e.side === 'statisfy') {
            const k = `${e.id}.${e.field}.${String(e.value)}`;
            if (!statisfyValues.has(k)) statisfyValues.set(k, []);
            statisfyValues.get(k)!.push(e);
        }
    const sfEdits = input.edits.filter((e) => e.side === 'salesforce');
    for (const w of input.writes) {
        if (w.userId !== input.integrationUserId) continue;
        const origin = statisfyValues.get(`${w.id}.${w.field}.${String(w.value)}`);
        if (!origin) {
            v.echoes.push({
                ...w,
                kind: 'returned',
                phases: [w.phase ?? ''],
                why: `the companion wrote a value no Statisfy user edited (a Salesforce value echoed back; in '${w.phase ?? ''}')`
            });
            continue;
        }
        // … and must not overwrite a Salesforce edit accepted after the Statisfy edit (unless Statisfy wins).
        if (input.statisfyWins.has(w.object)) continue;
        const accepted = Math.max(...origin.map((e) => e.at));
        const newer = sfEdits.find(
            (e) => e.id === w.id && e.field === w.field && e.at > accepted + raceMs && e.at < w.at - 50
        );
        if (newer)
            v.echoes.push({
                ...w,
                kind: 'overwrote',
                phases: [w.phase ?? '', newer.phase ?? ''],
                why:
                    `overwrote a newer Salesforce edit (${String(newer.value)}, accepted ${w.at - newer.at} ms before this write ` +
                    `in phase '${newer.phase ?? ''}'; the Statisfy edit was accepted ${w.at - accepted} ms before, in '${origin[0].phase ?? ''}'; written in '${w.phase ?? ''}')`
            });
    }
    return v;
}

/** True when a verdict has nothing to complain about. */
export function clean(v: Verdict): boolean {
    return v.lost.length === 0 && v.differences.length === 0 && v.echoes.length === 0 && v.duplicates === 0;
}
