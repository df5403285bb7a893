/**
 * `npm run bench`: measures the speed targets that unit tests must not time (ARCHITECTURE §7 and
 * the emulator's own targets) and prints one line per figure, plus a JSON summary for CI logs.
 *
 * Everything runs in this process against loopback only: the emulator on a random port, unmodified
 * jsforce 3 as the client. Each figure is the median of several runs after a warm-up.
 *
 *   npm run bench                 all benchmarks
 *   npm run bench -- emulator     only the emulator's
 */
import * as jsforce from 'jsforce';
import { StreamingExtension } from 'jsforce/api/streaming';
import { startEmulator, type RunningEmulator } from '../emulator/src/server';

const VERSION = '60.0';

interface Figure {
    name: string;
    value: number;
    unit: string;
    target?: string;
}

const figures: Figure[] = [];

function report(name: string, value: number, unit: string, target?: string): void {
    figures.push({ name, value, unit, target });
    const shown = Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(1);
    console.log(`${name.padEnd(58)} ${shown.padStart(12)} ${unit}${target ? `   (target ${target})` : ''}`);
}

function median(values: number[]): number {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function msSince(t0: bigint): number {
    return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function login(emu: RunningEmulator): Promise<jsforce.Connection> {
    const conn = new jsforce.Connection({ loginUrl: emu.url, version: VERSION });
    await conn.login('admin@statisfy.test', 'statisfy');
    return conn;
}

/** Emulator start with the demo data, as `npm run emulator` does it. */
async function benchStart(): Promise<void> {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
        const t0 = process.hrtime.bigint();
        const emu = await startEmulator({ port: 0, seed: 'demo' });
        times.push(msSince(t0));
        await emu.stop();
    }
    report('emulator start with demo data (median of 3)', median(times), 'ms', '< 2,000 ms');
}

/** A 2,000-record query page, the largest page Salesforce serves. */
async function benchQueryPage(): Promise<void> {
    const emu = await startEmulator({ port: 0, seed: 'bench:10000' });
    try {
        const conn = await login(emu);
        const soql = 'SELECT Id, Name, Industry, AnnualRevenue, OwnerId, SystemModstamp FROM Account ORDER BY Name';
        const times: number[] = [];
        for (let i = 0; i < 11; i++) {
            const t0 = process.hrtime.bigint();
            const page = await conn.query(soql, { autoFetch: false });
            const ms = msSince(t0);
            if (page.records.length !== 2000)
                throw new Error(`expected a 2,000-record page, got ${page.records.length}`);
            if (i > 0) times.push(ms);
        }
        report('query page of 2,000 records over 10,000 (median of 10)', median(times), 'ms', '< 100 ms');
    } finally {
        await emu.stop();
    }
}

/** Platform events published by the org and delivered to one durable jsforce CometD subscriber. */
async function benchCometd(): Promise<void> {
    const emu = await startEmulator({ port: 0, cometdTimeoutMs: 5000 });
    const conn = await login(emu);
    const channel = '/event/Record_Change__e';
    let received = 0;
    const client = conn.streaming.createClient([new StreamingExtension.Replay(channel, -1)]);
    const subscription = client.subscribe(channel, () => {
        received++;
    });
    try {
        await subscription;
        const userId = emu.users[0].id;
        const payload = (i: number) => ({
            Object_Api_Name__c: 'Account',
            Record_Id__c: `001000000000${String(i).padStart(6, '0')}`,
            Change_Type__c: 'UPDATE',
            Changed_Fields__c: '["Name"]',
            Values__c: JSON.stringify({ Name: `Account ${i}` }),
            Origin__c: 'salesforce'
        });
        const runs: number[] = [];
        const N = 20_000;
        for (let run = 0; run < 4; run++) {
            received = 0;
            const t0 = process.hrtime.bigint();
            for (let i = 0; i < N; i += 200) {
                emu.org.bus.publish(
                    'Record_Change__e',
                    Array.from({ length: 200 }, (_, k) => payload(i + k)),
                    userId
                );
                await new Promise((resolve) => setImmediate(resolve));
            }
            while (received < N) {
                if (msSince(t0) > 60_000) throw new Error(`only ${received} of ${N} events arrived in 60 s`);
                await new Promise((resolve) => setTimeout(resolve, 2));
            }
            const ms = msSince(t0);
            if (run > 0) runs.push((N / ms) * 1000);
        }
        report('CometD events published + delivered to 1 subscriber', Math.round(median(runs)), 'events/s', '> 10,000');
    } finally {
        (client as unknown as { disconnect(): void }).disconnect();
        await emu.stop();
    }
}

async function main(): Promise<void> {
    const only = process.argv[2];
    const suites: Record<string, Array<() => Promise<void>>> = {
        emulator: [benchStart, benchQueryPage, benchCometd]
    };
    const names = only ? [only] : Object.keys(suites);
    for (const name of names) {
        const suite = suites[name];
        if (!suite) throw new Error(`unknown benchmark suite "${name}"; known: ${Object.keys(suites).join(', ')}`);
        console.log(`\n== ${name}`);
        for (const bench of suite) await bench();
    }
    console.log(`\n${JSON.stringify({ bench: figures })}`);
}

main().then(
    () => process.exit(0),
    (error: unknown) => {
        console.error(error);
        process.exit(1);
    }
);
