/**
 * Values Salesforce computes on save: person full names, compound addresses, and Opportunity's stage facts (IsClosed,
 * IsWon, ForecastCategory, Probability, ExpectedRevenue) and fiscal period.
 */
import type { SchemaRegistry } from '../schema/registry';
import type { ObjectSchema } from '../schema/types';
import type { Rec } from './transaction';

const STAGES: Record<string, { p: number; closed: boolean; won: boolean; fc: string; fcn: string }> = {
    Prospecting: { p: 10, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    Qualification: { p: 10, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    'Needs Analysis': { p: 20, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    'Value Proposition': { p: 50, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    'Id. Decision Makers': { p: 60, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    'Perception Analysis': { p: 70, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    'Proposal/Price Quote': { p: 75, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    'Negotiation/Review': { p: 90, closed: false, won: false, fc: 'Pipeline', fcn: 'Pipeline' },
    'Closed Won': { p: 100, closed: true, won: true, fc: 'Closed', fcn: 'Closed' },
    'Closed Lost': { p: 0, closed: true, won: false, fc: 'Omitted', fcn: 'Omitted' }
};

/** Values Salesforce computes: full names, compound addresses, Opportunity stage facts, fiscal period. */
export function deriveFields(schema: SchemaRegistry, obj: ObjectSchema, rec: Rec, old: Rec | null): void {
    for (const f of obj.fields.values()) {
        const derived = schema.fieldExtra(obj, f.name)?.derived;
        if (derived === 'address') rec[f.name] = compoundAddress(rec, f.name);
        if (derived === 'fullName')
            rec[f.name] =
                [rec.FirstName, rec.LastName].filter((x) => x !== null && x !== undefined && x !== '').join(' ') ||
                null;
    }
    if (obj.name === 'Opportunity') {
        const stage = STAGES[rec.StageName as string];
        const stageChanged = !old || old.StageName !== rec.StageName;
        if (stage) {
            rec.IsClosed = stage.closed;
            rec.IsWon = stage.won;
            if (stageChanged) {
                rec.ForecastCategory = stage.fc;
                if (!old || old.ForecastCategoryName === rec.ForecastCategoryName) rec.ForecastCategoryName = stage.fcn;
                if (!old ? rec.Probability === null : old.Probability === rec.Probability) rec.Probability = stage.p;
            }
        }
        rec.ExpectedRevenue =
            typeof rec.Amount === 'number' && typeof rec.Probability === 'number'
                ? Math.round(rec.Amount * rec.Probability) / 100
                : null;
        if (typeof rec.CloseDate === 'string') {
            rec.FiscalYear = Number(rec.CloseDate.slice(0, 4));
            rec.FiscalQuarter = Math.floor((Number(rec.CloseDate.slice(5, 7)) - 1) / 3) + 1;
        }
    }
}

/** `BillingAddress` from `BillingStreet` … `BillingCountry` (null when all are blank), in Salesforce's key order. */
function compoundAddress(rec: Rec, name: string): Rec | null {
    const p = name.slice(0, -'Address'.length);
    const v = (k: string) => (rec[p + k] ?? null) as unknown;
    const parts = ['Street', 'City', 'State', 'PostalCode', 'Country'].map(v);
    if (parts.every((x) => x === null)) return null;
    return {
        city: v('City'),
        country: v('Country'),
        geocodeAccuracy: null,
        latitude: null,
        longitude: null,
        postalCode: v('PostalCode'),
        state: v('State'),
        street: v('Street')
    };
}
