/**
 * Describe: `GET /sobjects` (describeGlobal entries) and `GET /sobjects/{T}/describe`, built from the
 * schema registry in the property set and order of a real describe (ARCHITECTURE: the emulator speaks the
 * real wire format, so unmodified jsforce and sf CLI clients read it).
 */
import type { Org } from '../org';
import type { FieldSchema, ObjectSchema } from '../schema/types';

/** The describeGlobal entry of an object. */
export function globalEntry(org: Org, o: ObjectSchema, version: string): Record<string, unknown> {
    const b = `/services/data/v${version}/sobjects/${o.name}`;
    const urls: Record<string, string> = { sobject: b, describe: `${b}/describe`, rowTemplate: `${b}/{ID}` };
    if (o.isEvent) urls.eventSchema = `${b}/eventSchema`;
    return {
        activateable: false,
        associateEntityType: null,
        associateParentEntity: null,
        createable: o.createable,
        custom: o.custom,
        customSetting: org.schema.isCustomSetting(o),
        deepCloneable: false,
        deletable: o.deletable,
        deprecatedAndHidden: false,
        feedEnabled: false,
        hasSubtypes: false,
        isInterface: false,
        isSubtype: false,
        keyPrefix: o.keyPrefix,
        label: o.label,
        labelPlural: o.labelPlural,
        layoutable: !o.isEvent,
        mergeable: ['Account', 'Contact', 'Lead'].includes(o.name),
        mruEnabled: !o.isEvent,
        name: o.name,
        queryable: o.queryable,
        replicateable: !o.isEvent,
        retrieveable: !o.isEvent,
        searchable: !o.isEvent,
        triggerable: true,
        undeletable: o.deletable,
        updateable: o.updateable,
        urls
    };
}

function fieldJson(org: Org, o: ObjectSchema, f: FieldSchema): Record<string, unknown> {
    const numeric = ['double', 'currency', 'percent', 'int'].includes(f.type);
    return {
        aggregatable: f.type !== 'textarea',
        aiPredictionField: false,
        autoNumber: !!org.schema.fieldExtra(o, f.name)?.displayFormat,
        byteLength: f.length * 3,
        calculated: f.calculated,
        calculatedFormula: f.calculatedFormula,
        cascadeDelete: f.cascadeDelete,
        caseSensitive: false,
        compoundFieldName: org.schema.fieldExtra(o, f.name)?.compoundFieldName ?? null,
        controllerName: null,
        createable: f.createable,
        custom: f.custom,
        defaultValue: f.type === 'boolean' ? f.defaultValue : (f.defaultValue ?? null),
        defaultValueFormula: null,
        defaultedOnCreate: f.defaultedOnCreate,
        dependentPicklist: false,
        deprecatedAndHidden: false,
        digits: f.type === 'int' ? f.precision : 0,
        displayLocationInDecimal: false,
        encrypted: false,
        externalId: f.externalId,
        extraTypeInfo: null,
        filterable: f.filterable,
        filteredLookupInfo: null,
        formulaTreatNullNumberAsZero: false,
        groupable: f.type !== 'textarea' && !numeric,
        highScaleNumber: false,
        htmlFormatted: false,
        idLookup: f.idLookup,
        inlineHelpText: null,
        label: f.label,
        length: f.length,
        mask: null,
        maskType: null,
        name: f.name,
        nameField: f.nameField,
        namePointing: false,
        nillable: f.nillable,
        permissionable: f.custom && f.nillable,
        picklistValues: f.picklistValues,
        polymorphicForeignKey: f.referenceTo.length > 1,
        precision: numeric && f.type !== 'int' ? f.precision : 0,
        queryByDistance: false,
        referenceTargetField: null,
        referenceTo: f.referenceTo,
        relationshipName: f.relationshipName,
        relationshipOrder: f.cascadeDelete ? 0 : null,
        restrictedDelete: false,
        restrictedPicklist: f.restrictedPicklist,
        scale: numeric ? f.scale : 0,
        searchPrefilterable: false,
        soapType: f.soapType,
        sortable: f.sortable,
        type: f.type,
        unique: f.unique,
        updateable: f.updateable,
        writeRequiresMasterRead: false
    };
}

/** Full describe of an object. */
export function describe(org: Org, o: ObjectSchema, version: string): Record<string, unknown> {
    const childRelationships: Array<Record<string, unknown>> = [];
    for (const c of org.schema.all())
        for (const f of c.fields.values())
            if (f.type === 'reference' && f.referenceTo.some((r) => r.toLowerCase() === o.name.toLowerCase()))
                childRelationships.push({
                    cascadeDelete: f.cascadeDelete,
                    childSObject: c.name,
                    deprecatedAndHidden: false,
                    field: f.name,
                    junctionIdListNames: [],
                    junctionReferenceTo: [],
                    relationshipName: org.schema.fieldExtra(c, f.name)?.childRelationshipName ?? null,
                    restrictedDelete: false
                });
    return {
        ...globalEntry(org, o, version),
        actionOverrides: [],
        childRelationships,
        compactLayoutable: !o.isEvent,
        defaultImplementation: null,
        extendedBy: null,
        extendsInterfaces: null,
        fields: [...o.fields.values()].map((f) => fieldJson(org, o, f)),
        implementedBy: null,
        implementsInterfaces: null,
        listviewable: null,
        lookupLayoutable: null,
        namedLayoutInfos: [],
        networkScopeFieldName: null,
        recordTypeInfos: [],
        searchLayoutable: !o.isEvent,
        sobjectDescribeOption: 'FULL',
        supportedScopes: [{ label: 'All', name: 'everything' }],
        urls: globalEntry(org, o, version).urls
    };
}
