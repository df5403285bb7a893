/**
 * The bench's result table: one row per product target with our figure, the naive integration's (where one
 * exists), their ratio and pass/fail; the load average beside it, a one-line summary, and the JSON for CI logs.
 */
import { cpus, loadavg } from 'node:os';

/** One measured target. */
export interface Row {
    /** What is measured and under which condition, e.g. "API calls / 1,000 edits, burst (+0 ms)". */
    target: string;
    /** The target as text, e.g. "≤ 20". */
    goal: string;
    ours: number | null;
    naive?: number | null;
    unit: string;
    /** Whether our figure meets the goal; null = informational (no pass/fail). */
    pass: boolean | null;
    note?: string;
}

const rows: Row[] = [];

function shown(v: number | null | undefined): string {
    if (v === null || v === undefined || Number.isNaN(v)) return '—';
    if (Math.abs(v) >= 100 || Number.isInteger(v)) return Math.round(v).toLocaleString('en-US');
    return v.toFixed(v < 10 ? 2 : 1);
}

/** Records a row and prints it at once (so a long run shows progress). */
export function record(row: Row): void {
    rows.push(row);
    process.stdout.write(`  ${line(row)}\n`);
}

function ratio(r: Row): string {
    if (r.ours === null || r.naive === null || r.naive === undefined || r.ours === 0) return '—';
    const x = r.naive / r.ours;
    return `${x >= 10 ? Math.round(x) : x >= 1 ? x.toFixed(1) : x.toPrecision(2)}×`;
}

function line(r: Row): string {
    const verdict = r.pass === null ? 'info' : r.pass ? 'PASS' : 'FAIL';
    return [
        r.target.padEnd(58),
        r.goal.padEnd(12),
        `${shown(r.ours)}`.padStart(10),
        `${shown(r.naive)}`.padStart(10),
        ratio(r).padStart(7),
        r.unit.padEnd(10),
        verdict.padEnd(5),
        r.note ?? ''
    ].join(' ');
}

/** The load average as text. */
export function load(): string {
    return loadavg()
        .map((x) => x.toFixed(2))
        .join(' / ');
}

/** Prints the whole table and the summary; returns the number of failed targets. */
export function printTable(startedAt: number, loadAtStart: string): number {
    const header = [
        'target'.padEnd(58),
        'goal'.padEnd(12),
        'ours'.padStart(10),
        'naive'.padStart(10),
        'naive÷ours'.padStart(7),
        'unit'.padEnd(10),
        'verdict'
    ].join(' ');
    process.stdout.write(`\n${header}\n${'-'.repeat(header.length + 10)}\n`);
    for (const r of rows) process.stdout.write(`${line(r)}\n`);
    const failed = rows.filter((r) => r.pass === false);
    const passed = rows.filter((r) => r.pass === true);
    process.stdout.write(
        `\nload average (1/5/15 min): at start ${loadAtStart}, at end ${load()} on ${cpus().length} cores\n`
    );
    process.stdout.write(`\nJSON ${JSON.stringify({ rows, load: { start: loadAtStart, end: load() } })}\n`);
    process.stdout.write(
        `\nbench: ${passed.length} passed, ${failed.length} failed, ${rows.length - passed.length - failed.length} informational in ${Math.round((Date.now() - startedAt) / 1000)} s` +
            (failed.length ? ` — missed: ${failed.map((r) => r.target).join('; ')}` : '') +
            '\n'
    );
    return failed.length;
}
