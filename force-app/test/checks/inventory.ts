/**
 * What a reference may point at: the objects, fields and relationships of the source, plus the standard objects
 * and standard fields the package uses. Shared by the cross-reference and the script/data checks.
 */
import { sourceObjects } from './sources';

/** Fields every object has. */
const SYSTEM_FIELDS = [
    'Id',
    'Name',
    'CreatedDate',
    'CreatedById',
    'LastModifiedDate',
    'LastModifiedById',
    'SystemModstamp',
    'IsDeleted',
    'OwnerId'
];
/** Extra system fields of custom settings and platform events. */
const SETTING_FIELDS = ['SetupOwnerId'];
const EVENT_FIELDS = ['EventUuid', 'ReplayId'];

/** Standard objects the package uses, with the standard fields it may name. */
export const STANDARD: Record<string, string[]> = {
    Account: [
        'AccountNumber',
        'AnnualRevenue',
        'BillingAddress',
        'BillingCity',
        'BillingCountry',
        'Description',
        'Fax',
        'Industry',
        'NumberOfEmployees',
        'ParentId',
        'Phone',
        'Rating',
        'Type',
        'Website'
    ],
    Opportunity: [
        'AccountId',
        'Amount',
        'CloseDate',
        'Description',
        'ExpectedRevenue',
        'ForecastCategoryName',
        'LeadSource',
        'NextStep',
        'Probability',
        'StageName',
        'Type'
    ],
    Contact: [
        'AccountId',
        'Department',
        'Description',
        'Email',
        'FirstName',
        'LastName',
        'MobilePhone',
        'Phone',
        'Title'
    ],
    Lead: ['Company', 'Description', 'Email', 'FirstName', 'Industry', 'LastName', 'Phone', 'Status', 'Title'],
    User: [
        'Alias',
        'Email',
        'EmailEncodingKey',
        'FirstName',
        'LanguageLocaleKey',
        'LastName',
        'LocaleSidKey',
        'ProfileId',
        'TimeZoneSidKey',
        'Username'
    ],
    Profile: [],
    PermissionSet: ['NamespacePrefix'],
    PermissionSetAssignment: ['AssigneeId', 'PermissionSetId']
};

/** Everything a reference may point at. */
export interface Inventory {
    /** object name (exact case) → field names in lower case */
    fields: Map<string, Set<string>>;
    /** lower-case custom object names */
    customObjects: Set<string>;
    /** lower-case custom field names of any object */
    customFields: Set<string>;
    /** lower-case `Rel__r` → child object (for sub-queries) */
    childRelationships: Map<string, string>;
    /** lower-case `Rel__r` of lookups (parent relationships) */
    relationships: Set<string>;
}

export function buildInventory(): Inventory {
    const inventory: Inventory = {
        fields: new Map(),
        customObjects: new Set(),
        customFields: new Set(),
        childRelationships: new Map(),
        relationships: new Set()
    };
    for (const [name, fields] of Object.entries(STANDARD)) {
        inventory.fields.set(name, new Set([...SYSTEM_FIELDS, ...fields].map((f) => f.toLowerCase())));
    }
    for (const object of sourceObjects().values()) {
        const extra = object.name.endsWith('__e') ? EVENT_FIELDS : SETTING_FIELDS;
        const names = new Set([...SYSTEM_FIELDS, ...extra].map((f) => f.toLowerCase()));
        inventory.customObjects.add(object.name.toLowerCase());
        for (const field of object.fields.values()) {
            names.add(field.name.toLowerCase());
            inventory.customFields.add(field.name.toLowerCase());
            if (field.relationshipName) {
                inventory.childRelationships.set(`${field.relationshipName}__r`.toLowerCase(), object.name);
                inventory.relationships.add(field.name.replace(/__c$/i, '__r').toLowerCase());
            }
        }
        inventory.fields.set(object.name, names);
    }
    return inventory;
}
