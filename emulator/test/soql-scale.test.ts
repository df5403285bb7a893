import { executeSoql, parseSoql } from '../src/soql';
import { MemorySource, schemas } from './soql-fixtures';

/** Deterministic pseudo-random numbers (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
    let a = seed;
    return () => {
        a |= 0;
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

type Row = Record<string, unknown>;

function org(n: number, seed: number): { src: MemorySource; rows: Row[] } {
    const src = new MemorySource(schemas());
    const rand = rng(seed);
    const owners = [
        src.add('User', { Name: 'Zed' }),
        src.add('User', { Name: 'amy' }),
        src.add('User', { Name: null })
    ];
    const industries = ['Tech', 'tech', 'Finance', 'Retail', null];
    const rows: Row[] = [];
    for (let i = 0; i < n; i++) {
        const maybe = <T>(v: T): T | null => (rand() < 0.1 ? null : v);
        rows.push(
            src.add('Account', {
                Name: maybe(`N${Math.floor(rand() * n * 4).toString(36)}`),
                Industry: industries[Math.floor(rand() * industries.length)],
                AnnualRevenue: maybe(Math.round(rand() * 1e6) / 100),
                NumberOfEmployees: maybe(Math.floor(rand() * 50)),
                OwnerId: rand() < 0.1 ? null : owners[Math.floor(rand() * owners.length)].Id,
                Founded__c: maybe(
                    `20${10 + Math.floor(rand() * 15)}-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 9)}`
                ),
                IsActive__c: rand() < 0.5,
                CreatedDate: `2024-0${1 + Math.floor(rand() * 9)}-1${Math.floor(rand() * 9)}T0${Math.floor(rand() * 9)}:00:00.000+0000`
            })
        );
    }
    return { src, rows };
}

/** A straightforward reference ordering to hold the optimised sort to. */
function referenceSort(
    rows: Row[],
    keys: Array<{ get: (r: Row) => string | number | null; desc: boolean; nullsFirst: boolean }>
): Row[] {
    return rows
        .map((r, i) => ({ r, i }))
        .sort((a, b) => {
            for (const k of keys) {
                const x = k.get(a.r);
                const y = k.get(b.r);
                if (x === y) continue;
                if (x === null) return k.nullsFirst ? -1 : 1;
                if (y === null) return k.nullsFirst ? 1 : -1;
                const c = x < y ? -1 : 1;
                return k.desc ? -c : c;
            }
            return a.i - b.i;
        })
        .map((x) => x.r);
}

const lower = (f: string) => (r: Row) =>
    r[f] === null || r[f] === undefined || r[f] === '' ? null : String(r[f]).toLowerCase(); // '' is null, as in Salesforce
const num = (f: string) => (r: Row) => (typeof r[f] === 'number' ? (r[f] as number) : null);

describe('ordering many rows matches a reference sort', () => {
    const { src, rows } = org(3000, 42);
    const ownerName = new Map<unknown, string | null>();
    for (const u of src.records('User', { includeDeleted: false }))
        ownerName.set(u.Id, (u.Name as string | null) ?? null);
    const owner = (r: Row) => {
        const n = ownerName.get(r.OwnerId);
        return n === undefined || n === null ? null : n.toLowerCase();
    };

    const cases: Array<[string, Parameters<typeof referenceSort>[1]]> = [
        ['Name', [{ get: lower('Name'), desc: false, nullsFirst: true }]],
        ['Name DESC', [{ get: lower('Name'), desc: true, nullsFirst: false }]],
        [
            'Industry, AnnualRevenue DESC',
            [
                { get: lower('Industry'), desc: false, nullsFirst: true },
                { get: num('AnnualRevenue'), desc: true, nullsFirst: false }
            ]
        ],
        [
            'Owner.Name NULLS LAST, CreatedDate DESC, Name',
            [
                { get: owner, desc: false, nullsFirst: false },
                { get: lower('CreatedDate'), desc: true, nullsFirst: false },
                { get: lower('Name'), desc: false, nullsFirst: true }
            ]
        ],
        // Five high-cardinality columns: the combined ranks overflow a double, exercising the fallback.
        [
            'Name, AnnualRevenue, Id DESC, Founded__c, NumberOfEmployees',
            [
                { get: lower('Name'), desc: false, nullsFirst: true },
                { get: num('AnnualRevenue'), desc: false, nullsFirst: true },
                { get: (r) => String(r.Id).slice(0, 15), desc: true, nullsFirst: false },
                { get: lower('Founded__c'), desc: false, nullsFirst: true },
                { get: num('NumberOfEmployees'), desc: false, nullsFirst: true }
            ]
        ]
    ];

    it.each(cases)('ORDER BY %s', (orderBy, keys) => {
        const res = executeSoql(`SELECT Id FROM Account ORDER BY ${orderBy}`, src, {
            includeDeleted: false,
            apiVersion: '60.0'
        });
        expect(res.records.map((r) => r.Id)).toEqual(referenceSort(rows, keys).map((r) => r.Id));
    });
});

describe('ordering text that shares long prefixes', () => {
    it('orders by the full text when the first characters tie', () => {
        const src = new MemorySource(schemas());
        const rand = rng(99);
        const heads = ['', "O'", 'Ö', 'van der ', 'Zz', 'same-long-prefix-', 'same-long-prefix-'];
        const contacts: Row[] = [];
        for (let i = 0; i < 2500; i++) {
            const head = heads[Math.floor(rand() * heads.length)];
            const tailLength = Math.floor(rand() * 6);
            let tail = '';
            for (let k = 0; k < tailLength; k++) tail += 'aAbBzé-1'[Math.floor(rand() * 8)];
            contacts.push(src.add('Contact', { LastName: rand() < 0.05 ? null : head + tail, FirstName: `F${i % 7}` }));
        }
        const res = executeSoql('SELECT Id FROM Contact ORDER BY LastName DESC NULLS LAST, FirstName', src, {
            includeDeleted: false,
            apiVersion: '60.0'
        });
        const expected = referenceSort(contacts, [
            { get: lower('LastName'), desc: true, nullsFirst: false },
            { get: lower('FirstName'), desc: false, nullsFirst: true }
        ]);
        expect(res.records.map((r) => r.Id)).toEqual(expected.map((r) => r.Id));
    });
});

describe('scale', () => {
    it('filters and sorts 100,000 records quickly', () => {
        // Built directly (no fixture helpers) so the test spends its time in the engine, not in setup.
        const schema = schemas().find((x) => x.name === 'Account')!;
        const industries = ['Tech', 'Finance', 'Retail', null];
        const rows: Row[] = [];
        for (let i = 0; i < 100_000; i++) {
            rows.push({
                Id: '001Ab' + String(i).padStart(13, '0'),
                IsDeleted: false,
                Name: 'Account ' + ((i * 7919) % 100_000),
                Industry: industries[i % 4],
                AnnualRevenue: i % 10 === 0 ? null : (i * 37) % 100_000,
                CreatedDate: `2024-05-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00.000+0000`
            });
        }
        const src = {
            describe: (name: string) => (name.toLowerCase() === 'account' ? schema : undefined),
            records: () => rows,
            byId: () => undefined,
            now: () => new Date('2024-05-29T12:00:00Z')
        };
        const q = parseSoql(
            `SELECT Id, Name, AnnualRevenue FROM Account WHERE (Industry = 'Tech' OR AnnualRevenue > 5000) AND CreatedDate = THIS_YEAR ORDER BY AnnualRevenue DESC, Name LIMIT 2000`
        );
        executeSoql(q, src, { includeDeleted: false, apiVersion: '60.0' }); // warm-up
        const t0 = performance.now();
        const res = executeSoql(q, src, { includeDeleted: false, apiVersion: '60.0' });
        const ms = performance.now() - t0;
        const expected = rows.filter(
            (r) => r.Industry === 'Tech' || (r.AnnualRevenue !== null && (r.AnnualRevenue as number) > 5000)
        );
        expect(res.totalSize).toBe(2000);
        const revenues = res.records.map((r) => r.AnnualRevenue as number);
        expect(revenues[0]).toBe(Math.max(...expected.map((r) => (r.AnnualRevenue as number | null) ?? -1)));
        for (let i = 1; i < revenues.length; i++) expect(revenues[i] <= revenues[i - 1]).toBe(true);
        const count = executeSoql(
            `SELECT COUNT() FROM Account WHERE (Industry = 'Tech' OR AnnualRevenue > 5000) AND CreatedDate = THIS_YEAR`,
            src,
            { includeDeleted: false, apiVersion: '60.0' }
        );
        expect(count.totalSize).toBe(expected.length);
        // Typically ~100 ms on an idle machine. The bound only catches complexity regressions (a quadratic
        // sort would take minutes); it is loose so that a machine busy with other suites does not flake.
        expect(ms).toBeLessThan(5000);
    });
});
