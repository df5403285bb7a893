/**
 * Test data through the real repositories (no mocks): orgs with tokens of each role, the demo objects and their
 * field mappings, records. Every factory takes overrides.
 */
import { randomBytes } from 'node:crypto';
import type { Repositories } from '../../src/data';
import type { FieldMappingInput, Json, Org, SyncObject } from '../../src/data';
import { idSuffix } from '../../src/api/schemas';
import { issueToken } from '../../src/domain/tenants';

/** An org and one token per role. */
export interface SeededOrg {
    org: Org;
    tokens: { admin: string; editor: string; viewer: string };
}

let counter = 0;

/** A valid 18-character Salesforce id (case-safe suffix included) with a key prefix (`001` Account, `a01` custom). */
export function sfId(prefix = '001'): string {
    counter++;
    const body = `${Date.now().toString(36)}${counter.toString(36)}${randomBytes(6).toString('hex')}`.replace(
        /[^a-zA-Z0-9]/g,
        ''
    );
    const id15 = `${prefix}${body}`.slice(0, 15).padEnd(15, '0');
    return id15 + idSuffix(id15);
}

/** Creates an org with admin, editor and viewer tokens. */
export async function seedOrg(
    repos: Repositories,
    overrides: Partial<Parameters<Repositories['orgs']['create']>[0]> = {}
): Promise<SeededOrg> {
    const org = await repos.orgs.create({
        name: `Org ${++counter}`,
        loginUrl: 'https://login.example.test',
        authKind: 'jwt',
        consumerKey: 'statisfy-dev-client',
        username: `integration+${counter}@statisfy.test`,
        ...overrides
    });
    const tokens = {
        admin: (await issueToken(repos, org.id, 'admin', 'admin')).token,
        editor: (await issueToken(repos, org.id, 'editor', 'editor')).token,
        viewer: (await issueToken(repos, org.id, 'viewer', 'viewer')).token
    };
    return { org, tokens };
}

/** The Account mappings used across the tests. */
export const ACCOUNT_FIELDS: Omit<FieldMappingInput, 'objectApiName'>[] = [
    {
        key: 'Account.Name',
        displayName: 'Account name',
        salesforceField: 'Name',
        origin: 'salesforce',
        editable: true,
        type: 'string'
    },
    {
        key: 'Account.AnnualRevenue',
        displayName: 'ARR',
        salesforceField: 'AnnualRevenue',
        origin: 'salesforce',
        editable: true,
        type: 'currency'
    },
    {
        key: 'Account.Industry',
        displayName: 'Industry',
        salesforceField: 'Industry',
        origin: 'salesforce',
        editable: true,
        type: 'picklist',
        picklistValues: ['Agriculture', 'Banking', 'Technology']
    },
    {
        key: 'Account.Rating',
        displayName: 'Rating',
        salesforceField: 'Rating',
        origin: 'salesforce',
        editable: false,
        type: 'picklist'
    },
    {
        key: 'Account.Website',
        displayName: 'Website',
        salesforceField: 'Website',
        origin: 'salesforce',
        editable: true,
        type: 'url',
        active: false
    },
    {
        key: 'Account.Health',
        displayName: 'Health',
        salesforceField: null,
        origin: 'statisfy',
        editable: true,
        type: 'number'
    },
    {
        key: 'Account.Renewal',
        displayName: 'Renewal date',
        salesforceField: 'Renewal_Date__c',
        origin: 'statisfy',
        editable: true,
        type: 'date'
    },
    {
        key: 'Account.Churn',
        displayName: 'Churn risk',
        salesforceField: 'Churn_Risk__c',
        origin: 'statisfy',
        editable: true,
        type: 'boolean'
    },
    {
        key: 'Account.LastCall',
        displayName: 'Last call',
        salesforceField: null,
        origin: 'statisfy',
        editable: true,
        type: 'datetime'
    }
];

/** The Success_Plan__c mappings (custom object; Sync to Salesforce starts off). */
export const PLAN_FIELDS: Omit<FieldMappingInput, 'objectApiName'>[] = [
    {
        key: 'Success_Plan__c.Name',
        displayName: 'Plan',
        salesforceField: 'Name',
        origin: 'salesforce',
        editable: true,
        type: 'string'
    },
    {
        key: 'Success_Plan__c.Status__c',
        displayName: 'Status',
        salesforceField: 'Status__c',
        origin: 'salesforce',
        editable: true,
        type: 'picklist',
        picklistValues: ['Draft', 'Active', 'Done']
    }
];

/** Creates Account (Sync to Salesforce on) and Success_Plan__c (off) with their mappings. */
export async function seedObjects(
    repos: Repositories,
    orgId: string
): Promise<{ account: SyncObject; plan: SyncObject }> {
    const account = await repos.syncObjects.upsert(orgId, {
        objectApiName: 'Account',
        displayName: 'Accounts',
        kind: 'standard',
        syncToSalesforce: true
    });
    const plan = await repos.syncObjects.upsert(orgId, {
        objectApiName: 'Success_Plan__c',
        displayName: 'Success Plans',
        kind: 'custom',
        syncToSalesforce: false
    });
    for (const m of ACCOUNT_FIELDS) await repos.fieldMappings.create(orgId, { objectApiName: 'Account', ...m });
    for (const m of PLAN_FIELDS) await repos.fieldMappings.create(orgId, { objectApiName: 'Success_Plan__c', ...m });
    return { account, plan };
}

/** Creates an Account record whose Statisfy and Salesforce values agree. */
export async function seedAccount(
    repos: Repositories,
    orgId: string,
    overrides: { sfId?: string; name?: string; revenue?: number; industry?: string; extra?: Record<string, Json> } = {}
) {
    const name = overrides.name ?? `Acme ${counter++}`;
    const revenue = overrides.revenue ?? 1000;
    const industry = overrides.industry ?? 'Banking';
    return repos.records.insert(orgId, {
        objectApiName: 'Account',
        sfId: overrides.sfId ?? sfId('001'),
        fields: {
            'Account.Name': name,
            'Account.AnnualRevenue': revenue,
            'Account.Industry': industry,
            'Account.Rating': 'Warm',
            ...overrides.extra
        },
        sfValues: { Name: name, AnnualRevenue: revenue, Industry: industry, Rating: 'Warm' },
        systemModstamp: new Date('2026-01-01T00:00:00Z')
    });
}

/** Creates a Success_Plan__c record. */
export async function seedPlan(repos: Repositories, orgId: string, name = 'Onboarding') {
    return repos.records.insert(orgId, {
        objectApiName: 'Success_Plan__c',
        sfId: sfId('a01'),
        fields: { 'Success_Plan__c.Name': name, 'Success_Plan__c.Status__c': 'Draft' },
        sfValues: { Name: name, Status__c: 'Draft' }
    });
}
