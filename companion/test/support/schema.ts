/**
 * An OrgSchemaProvider answering from fixed describe data, for tests of configuration checks that do not need a
 * Salesforce org. (The real provider is companion/src/salesforce's jsforce describe; companion-sync tests it.)
 * The data mirrors the emulator's Account and the demo Success_Plan__c.
 */
import type { ObjectSchema, OrgSchemaProvider } from '../../src/domain/ports';

const f = (name: string, type: string, updateable = true, picklist?: string[]) => ({
    name,
    label: name.replace(/__c$/, '').replace(/_/g, ' '),
    type,
    updateable,
    ...(picklist ? { picklistValues: picklist.map((value) => ({ value, active: true })) } : {})
});

/** Describes by object API name. */
export const DESCRIBES: Record<string, ObjectSchema> = {
    Account: {
        name: 'Account',
        label: 'Account',
        custom: false,
        fields: [
            f('Id', 'id', false),
            f('Name', 'string'),
            f('AnnualRevenue', 'currency'),
            f('NumberOfEmployees', 'int'),
            f('Industry', 'picklist', true, ['Agriculture', 'Banking', 'Technology']),
            f('Rating', 'picklist', true, ['Hot', 'Warm', 'Cold']),
            f('Website', 'url'),
            f('Description', 'textarea'),
            f('CreatedDate', 'datetime', false),
            f('LastActivityDate', 'date', false),
            f('Renewal_Date__c', 'date'),
            f('Health_Score__c', 'double'),
            f('Churn_Risk__c', 'boolean')
        ]
    },
    Success_Plan__c: {
        name: 'Success_Plan__c',
        label: 'Success Plan',
        custom: true,
        fields: [
            f('Id', 'id', false),
            f('Name', 'string'),
            f('Status__c', 'picklist', true, ['Draft', 'Active', 'Done']),
            f('Target_Date__c', 'date')
        ]
    }
};

/** Answers describes from {@link DESCRIBES}; counts calls; can be made unreachable. */
export class FixedSchemaProvider implements OrgSchemaProvider {
    calls: { orgId: string; objectApiName: string }[] = [];
    unreachable: Error | null = null;

    async describe(orgId: string, objectApiName: string): Promise<ObjectSchema | null> {
        this.calls.push({ orgId, objectApiName });
        if (this.unreachable) throw this.unreachable;
        return Object.hasOwn(DESCRIBES, objectApiName) ? DESCRIBES[objectApiName] : null;
    }
}
