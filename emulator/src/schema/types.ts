/**
 * Schema model of the emulated org, shaped like Salesforce's describe results so that
 * `GET /sobjects/{T}/describe` can serialise it almost directly.
 */

/** Field types as Salesforce's describe reports them. */
export type FieldType =
    | 'id'
    /** A compound address (BillingAddress): read-only, computed from its components. */
    | 'address'
    | 'string'
    | 'textarea'
    | 'boolean'
    | 'double'
    | 'int'
    | 'currency'
    | 'percent'
    | 'date'
    | 'datetime'
    | 'picklist'
    | 'multipicklist'
    | 'reference'
    | 'email'
    | 'phone'
    | 'url';

export interface PicklistValue {
    active: boolean;
    defaultValue: boolean;
    label: string;
    value: string;
    validFor: null;
}

export interface FieldSchema {
    name: string;
    label: string;
    type: FieldType;
    /** Text length (0 for non-text fields). */
    length: number;
    precision: number;
    scale: number;
    createable: boolean;
    updateable: boolean;
    nillable: boolean;
    custom: boolean;
    calculated: boolean;
    calculatedFormula: string | null;
    defaultedOnCreate: boolean;
    /** Value used on create when the field is not given (checkboxes default to false). */
    defaultValue: unknown;
    externalId: boolean;
    unique: boolean;
    idLookup: boolean;
    nameField: boolean;
    filterable: boolean;
    sortable: boolean;
    /** Required on create (Salesforce: !nillable && createable && !defaultedOnCreate). */
    required: boolean;
    picklistValues: PicklistValue[];
    /** Restricted picklists reject values not in picklistValues (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST). */
    restrictedPicklist: boolean;
    referenceTo: string[];
    relationshipName: string | null;
    /** For master-detail relationships. */
    cascadeDelete: boolean;
    soapType: string;
}

export interface ValidationRule {
    /** Developer name of the rule. */
    name: string;
    /** The error message Salesforce returns as FIELD_CUSTOM_VALIDATION_EXCEPTION. */
    message: string;
    /** Field the error is shown on, or null for the top of the page. */
    errorField: string | null;
    /** Returns true when the record is INVALID (same polarity as a Salesforce error condition formula). */
    condition: (record: Readonly<Record<string, unknown>>) => boolean;
}

export interface ObjectSchema {
    name: string;
    label: string;
    labelPlural: string;
    /** Three-character id prefix, e.g. "001" for Account. */
    keyPrefix: string;
    custom: boolean;
    /** Platform events (`__e`) are publish-only. */
    isEvent: boolean;
    createable: boolean;
    updateable: boolean;
    deletable: boolean;
    queryable: boolean;
    /** Fields keyed by API name exactly as declared (lookups are case-insensitive: use getField). */
    fields: Map<string, FieldSchema>;
    validationRules: ValidationRule[];
}
