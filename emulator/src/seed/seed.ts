/**
 * Seeds: `demo` (ARCHITECTURE §5: 50 Accounts, 150 Contacts, 100 Opportunities, 40 Success_Plan__c,
 * the Sync_Object__c / Field_Mapping__c configuration and the Statisfy_Settings__c org default),
 * `empty`, and `bench:N` (N Accounts, fast). Values come from a seeded PRNG, so a seed always
 * produces the same data. Seeding is existing data: it publishes no Record_Change__e.
 */
import type { Org } from '../org';
import type { Rec } from '../store/store';

/** A seed name as the CLI and control API accept it. */
export type SeedName = 'demo' | 'empty' | `bench:${number}`;

/** Validates a seed name; throws an Error naming the bad value. */
export function parseSeed(s: unknown): SeedName {
    if (s === 'demo' || s === 'empty') return s;
    if (typeof s === 'string' && /^bench:\d+$/.test(s)) {
        const n = Number(s.slice(6));
        if (n >= 0 && n <= 2_000_000) return s as SeedName;
    }
    throw new Error(`seed must be 'demo', 'empty' or 'bench:N' (N from 0 to 2000000), got ${JSON.stringify(s)}`);
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const ACCOUNT_A = [
    'Acme',
    'Globex',
    'Initech',
    'Umbrella',
    'Stark',
    'Wayne',
    'Wonka',
    'Hooli',
    'Vandelay',
    'Soylent',
    'Cyberdyne',
    'Tyrell',
    'Aperture',
    'Massive',
    'Pied Piper',
    'Oscorp',
    'Gringotts',
    'Monarch',
    'Nakatomi',
    'Dunder'
];
const ACCOUNT_B = [
    'Corporation',
    'Industries',
    'Labs',
    'Systems',
    'Holdings',
    'Group',
    'Logistics',
    'Partners',
    'Technologies',
    'Health',
    'Foods',
    'Energy',
    'Media',
    'Financial',
    'Retail'
];
const FIRST = [
    'Olivia',
    'Liam',
    'Emma',
    'Noah',
    'Ava',
    'Elijah',
    'Sophia',
    'James',
    'Isabella',
    'Lucas',
    'Mia',
    'Mateo',
    'Amelia',
    'Ethan',
    'Harper',
    'Aiden',
    'Evelyn',
    'Kai',
    'Priya',
    'Wei',
    'Fatima',
    'Diego',
    'Yuki',
    'Omar',
    'Chloe',
    'Ravi'
];
const LAST = [
    'Smith',
    'Johnson',
    'Williams',
    'Brown',
    'Garcia',
    'Miller',
    'Davis',
    'Rodriguez',
    'Martinez',
    'Lee',
    'Patel',
    'Nguyen',
    'Kim',
    'Chen',
    'Okafor',
    'Schmidt',
    'Rossi',
    'Tanaka',
    'Haddad',
    'Kowalski',
    'Silva',
    'Dubois'
];
const TITLES = [
    'CEO',
    'CFO',
    'VP Sales',
    'VP Operations',
    'Head of IT',
    'Procurement Manager',
    'Director of Customer Success',
    'Operations Analyst',
    'Chief Revenue Officer',
    'Product Manager'
];
const INDUSTRIES = [
    'Technology',
    'Healthcare',
    'Finance',
    'Manufacturing',
    'Retail',
    'Energy',
    'Media',
    'Education',
    'Transportation',
    'Consulting',
    'Insurance',
    'Telecommunications'
];
const TYPES = [
    'Prospect',
    'Customer - Direct',
    'Customer - Channel',
    'Channel Partner / Reseller',
    'Technology Partner'
];
const RATINGS = ['Hot', 'Warm', 'Cold'];
const CITIES: Array<[string, string, string]> = [
    ['San Francisco', 'CA', 'USA'],
    ['New York', 'NY', 'USA'],
    ['Austin', 'TX', 'USA'],
    ['Chicago', 'IL', 'USA'],
    ['Seattle', 'WA', 'USA'],
    ['Boston', 'MA', 'USA'],
    ['London', 'England', 'United Kingdom'],
    ['Paris', 'Île-de-France', 'France'],
    ['Berlin', 'Berlin', 'Germany'],
    ['Toronto', 'ON', 'Canada'],
    ['Sydney', 'NSW', 'Australia'],
    ['Tokyo', 'Tokyo', 'Japan']
];
const STAGES = [
    'Prospecting',
    'Qualification',
    'Needs Analysis',
    'Value Proposition',
    'Id. Decision Makers',
    'Proposal/Price Quote',
    'Negotiation/Review',
    'Closed Won',
    'Closed Lost'
];
const PRODUCTS = [
    'Platform License',
    'Renewal',
    'Expansion',
    'Professional Services',
    'Premium Support',
    'Pilot',
    'Enterprise Upgrade',
    'Training'
];
const OPP_TYPES = [
    'New Customer',
    'Existing Customer - Upgrade',
    'Existing Customer - Replacement',
    'Existing Customer - Downgrade'
];
const SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];
const PLAN_STATUS = ['Not Started', 'On Track', 'At Risk', 'Off Track', 'Completed'];
const GOALS = [
    'Reach 80% weekly active usage',
    'Roll out to all regions',
    'Reduce support tickets by 30%',
    'Executive business review each quarter',
    'Integrate with the data warehouse',
    'Train 50 power users',
    'Expand to the finance team',
    'Renew with a multi-year term'
];

/** Field mappings of the demo configuration: object → [field, display name, editable]. */
export const DEMO_MAPPINGS: Record<string, Array<[string, string, boolean]>> = {
    Account: [
        ['Name', 'Account Name', true],
        ['Industry', 'Industry', true],
        ['Type', 'Type', true],
        ['Rating', 'Rating', true],
        ['AnnualRevenue', 'Annual Revenue', true],
        ['NumberOfEmployees', 'Employees', true],
        ['Phone', 'Phone', true],
        ['Website', 'Website', true],
        ['BillingCity', 'Billing City', true],
        ['BillingCountry', 'Billing Country', true],
        ['OwnerId', 'Owner', false]
    ],
    Contact: [
        ['FirstName', 'First Name', true],
        ['LastName', 'Last Name', true],
        ['Email', 'Email', true],
        ['Phone', 'Phone', true],
        ['Title', 'Title', true],
        ['AccountId', 'Account', false],
        ['LeadSource', 'Lead Source', true]
    ],
    Opportunity: [
        ['Name', 'Opportunity Name', true],
        ['StageName', 'Stage', true],
        ['Amount', 'Amount', true],
        ['CloseDate', 'Close Date', true],
        ['Probability', 'Probability', true],
        ['Type', 'Type', true],
        ['AccountId', 'Account', false],
        ['IsWon', 'Won', false]
    ],
    Success_Plan__c: [
        ['Name', 'Plan Name', true],
        ['Account__c', 'Account', false],
        ['Status__c', 'Status', true],
        ['Goal__c', 'Goal', true],
        ['Health_Score__c', 'Health Score', true],
        ['Target_Date__c', 'Target Date', true]
    ]
};

const DATA_TYPES: Record<string, string> = {
    string: 'Text',
    textarea: 'LongText',
    double: 'Number',
    int: 'Number',
    currency: 'Currency',
    percent: 'Percent',
    date: 'Date',
    datetime: 'DateTime',
    boolean: 'Checkbox',
    picklist: 'Picklist',
    multipicklist: 'MultiPicklist',
    email: 'Email',
    phone: 'Phone',
    url: 'Url',
    reference: 'Reference',
    id: 'Text'
};

function pick<T>(r: () => number, xs: readonly T[]): T {
    return xs[Math.floor(r() * xs.length)];
}

function isoDate(ms: number): string {
    return new Date(ms).toISOString().slice(0, 10);
}

/** Applies a seed to an org (after reset, usually). Returns counts by object. */
export function applySeed(org: Org, seed: SeedName): Record<string, number> {
    if (seed === 'empty') return {};
    if (seed.startsWith('bench:')) return seedBench(org, Number(seed.slice(6)));
    return seedDemo(org);
}

function seedBench(org: Org, n: number): Record<string, number> {
    const r = prng(n + 17);
    const admin = org.adminUser.id;
    const store = org.store;
    for (let start = 0; start < n; start += 1000) {
        const tx = store.begin(admin);
        tx.nextOp();
        for (let i = start; i < Math.min(n, start + 1000); i++) {
            store.insert(
                tx,
                'Account',
                {
                    Name: `Bench Account ${String(i + 1).padStart(7, '0')}`,
                    Industry: pick(r, INDUSTRIES),
                    AnnualRevenue: Math.round(r() * 5e8),
                    NumberOfEmployees: 1 + Math.floor(r() * 20000),
                    Rating: pick(r, RATINGS)
                },
                { system: true }
            );
        }
        store.commit(tx, { silent: true });
    }
    return { Account: n };
}

function seedDemo(org: Org): Record<string, number> {
    const r = prng(20260401);
    const store = org.store;
    const p = (n: string) => org.schema.pkg(n);
    const admin = org.adminUser.id;
    const owners = [org.adminUser.id, org.user('sales@statisfy.test')?.id ?? admin];
    const now = org.clock.nowMs();
    const day = 86400_000;
    const counts: Record<string, number> = {};
    const tx = store.begin(admin);
    tx.nextOp();
    const ins = (obj: string, v: Rec) => {
        counts[obj] = (counts[obj] ?? 0) + 1;
        return store.insert(tx, obj, v, { system: true });
    };
    const created = () => {
        const c = now - Math.floor((30 + r() * 335) * day);
        const m = Math.min(now - 60_000, c + Math.floor(r() * (now - c)));
        return { CreatedDate: new Date(c).toISOString(), LastModifiedDate: new Date(m).toISOString() };
    };

    // Configuration first (ARCHITECTURE §5): standard objects sync both ways, Success_Plan__c is
    // brought in with Sync to Salesforce off, as a new customer would have it; its updateable fields are already
    // Editable (as demo/data/Field_Mapping__c.json sets them), so switching Sync to Salesforce on is the one step
    // the README asks for before its edits flow.
    const so = p('Sync_Object__c');
    const fm = p('Field_Mapping__c');
    if (org.schema.get(so) && org.schema.get(fm)) {
        for (const [object, label, toSf] of [
            ['Account', 'Accounts', true],
            ['Contact', 'Contacts', true],
            ['Opportunity', 'Opportunities', true],
            ['Success_Plan__c', 'Success Plans', false]
        ] as const) {
            const schema = org.schema.get(object);
            if (!schema) continue;
            const soId = ins(so, {
                Name: label,
                [p('Object_Api_Name__c')]: object,
                [p('Display_Name__c')]: label,
                [p('Sync_To_Salesforce__c')]: toSf,
                [p('Enabled__c')]: true,
                [p('Conflict_Policy__c')]: 'Latest_Wins'
            });
            for (const [field, display, editable] of DEMO_MAPPINGS[object]) {
                const f = org.schema.getField(schema, field);
                if (!f) continue;
                ins(fm, {
                    Name: `${object}.${f.name}`.slice(0, 80),
                    [p('Sync_Object__c')]: soId,
                    [p('Key__c')]: `${object}.${f.name}`,
                    [p('Salesforce_Field__c')]: f.name,
                    [p('Display_Name__c')]: display,
                    [p('Editable__c')]: editable && f.updateable,
                    [p('Origin__c')]: 'Salesforce',
                    [p('Active__c')]: true,
                    [p('Data_Type__c')]: DATA_TYPES[f.type] ?? 'Text'
                });
            }
        }
    }
    const settings = p('Statisfy_Settings__c');
    if (org.schema.get(settings)) {
        ins(settings, {
            SetupOwnerId: org.orgId,
            [p('Integration_User_Id__c')]: org.integrationUser.id,
            [p('Publishing_Disabled__c')]: false
        });
    }

    const accounts: Array<{ id: string; name: string; domain: string }> = [];
    const used = new Set<string>();
    for (let i = 0; i < 50; i++) {
        let name: string;
        do name = `${pick(r, ACCOUNT_A)} ${pick(r, ACCOUNT_B)}`;
        while (used.has(name));
        used.add(name);
        const [city, state, country] = pick(r, CITIES);
        const employees = Math.round(10 ** (1 + r() * 4.5));
        const domain = `${name.toLowerCase().replace(/[^a-z]+/g, '')}.example.com`;
        const id = ins('Account', {
            Name: name,
            Industry: pick(r, INDUSTRIES),
            Type: pick(r, TYPES),
            Rating: pick(r, RATINGS),
            AccountSource: pick(r, SOURCES),
            AnnualRevenue: Math.round(employees * (80000 + r() * 220000)),
            NumberOfEmployees: employees,
            Phone: `+1 (${200 + Math.floor(r() * 700)}) 555-${String(Math.floor(r() * 10000)).padStart(4, '0')}`,
            Website: `https://www.${domain}`,
            BillingStreet: `${1 + Math.floor(r() * 9000)} ${pick(r, ['Market', 'Main', 'Oak', 'Pine', 'Harbor', 'Mission'])} Street`,
            BillingCity: city,
            BillingState: state,
            BillingCountry: country,
            Description: `${name} is a ${employees > 5000 ? 'large' : employees > 500 ? 'mid-size' : 'small'} company headquartered in ${city}.`,
            OwnerId: pick(r, owners),
            ...created()
        });
        accounts.push({ id, name, domain });
    }
    for (let i = 0; i < 150; i++) {
        const a = accounts[i % 50];
        const first = pick(r, FIRST);
        const last = pick(r, LAST);
        ins('Contact', {
            FirstName: first,
            LastName: last,
            Salutation: pick(r, ['Mr.', 'Ms.', 'Dr.', 'Mrs.']),
            AccountId: a.id,
            Title: pick(r, TITLES),
            Email: `${first}.${last}${i}@${a.domain}`.toLowerCase(),
            Phone: `+1 (${200 + Math.floor(r() * 700)}) 555-${String(Math.floor(r() * 10000)).padStart(4, '0')}`,
            LeadSource: pick(r, SOURCES),
            MailingCity: pick(r, CITIES)[0],
            OwnerId: pick(r, owners),
            ...created()
        });
    }
    for (let i = 0; i < 100; i++) {
        const a = accounts[i % 50];
        const stage = pick(r, STAGES);
        const closed = stage.startsWith('Closed');
        const close = now + Math.floor((closed ? -(5 + r() * 120) : 5 + r() * 200) * day);
        ins('Opportunity', {
            Name: `${a.name} - ${pick(r, PRODUCTS)}`,
            AccountId: a.id,
            StageName: stage,
            Amount: Math.round(5000 + r() * 495000),
            CloseDate: isoDate(close),
            Type: pick(r, OPP_TYPES),
            LeadSource: pick(r, SOURCES),
            NextStep: closed
                ? null
                : pick(r, ['Send proposal', 'Schedule demo', 'Security review', 'Legal review', 'Pricing call']),
            OwnerId: pick(r, owners),
            ...created()
        });
    }
    if (org.schema.get('Success_Plan__c')) {
        for (let i = 0; i < 40; i++) {
            const a = accounts[(i * 7) % 50];
            ins('Success_Plan__c', {
                Name: `${a.name} Success Plan ${i < 50 ? '' : i}`.trim(),
                Account__c: a.id,
                Status__c: pick(r, PLAN_STATUS),
                Goal__c: pick(r, GOALS),
                Health_Score__c: Math.floor(20 + r() * 80),
                Target_Date__c: isoDate(now + Math.floor((r() * 300 - 60) * day)),
                Notes__c: `Kick-off held with ${pick(r, FIRST)} ${pick(r, LAST)}.`,
                OwnerId: pick(r, owners),
                ...created()
            });
        }
    }
    store.commit(tx, { silent: true });
    return counts;
}
