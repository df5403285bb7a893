/**
 * The SOQL syntax tree produced by {@link parseSoql}. Every node keeps the offset of its first character
 * in {@link SoqlQuery.text} so that later (schema-aware) errors can point at it as Salesforce does.
 */

/** A dotted field path as written: `Name`, `Account.Name`, `Owner.Name`, `Account__r.Name`. */
export interface FieldPath {
    /** The path segments as written (original case). */
    parts: string[];
    /** Offset of the first segment. */
    start: number;
}

export type SelectItem =
    | { kind: 'field'; path: FieldPath }
    | { kind: 'count'; start: number }
    /** A parent-to-child relationship subquery: `(SELECT … FROM Contacts WHERE … ORDER BY … LIMIT n)`. */
    | { kind: 'subquery'; start: number; query: SoqlSubquery };

/** A relationship subquery: `from.name` is the child relationship name (`Contacts`, `Field_Mappings__r`). */
export type SoqlSubquery = Omit<SoqlQuery, 'text'>;

export type Literal =
    | { kind: 'string'; value: string; start: number }
    | { kind: 'number'; value: number; text: string; start: number }
    | { kind: 'boolean'; value: boolean; start: number }
    | { kind: 'null'; start: number }
    | { kind: 'date'; value: string; start: number }
    /** `ms` is the instant in epoch milliseconds (offsets applied). */
    | { kind: 'datetime'; ms: number; text: string; start: number }
    /** TODAY, LAST_N_DAYS:n, … (`n` is null for literals without a number). */
    | { kind: 'dateLiteral'; name: string; n: number | null; start: number };

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE';
export type SetOperator = 'IN' | 'NOT IN' | 'INCLUDES' | 'EXCLUDES';

export type Condition =
    | { kind: 'and'; operands: Condition[] }
    | { kind: 'or'; operands: Condition[] }
    | { kind: 'not'; operand: Condition }
    | { kind: 'compare'; field: FieldPath; op: ComparisonOperator; value: Literal; opStart: number }
    | { kind: 'set'; field: FieldPath; op: SetOperator; values: Literal[]; opStart: number };

export interface OrderItem {
    field: FieldPath;
    descending: boolean;
    /** Resolved default: ASC → NULLS FIRST, DESC → NULLS LAST (Salesforce's defaults). */
    nullsFirst: boolean;
}

export interface SoqlQuery {
    /** The query text as given (errors quote it). */
    text: string;
    select: SelectItem[];
    from: { name: string; start: number };
    where: Condition | null;
    orderBy: OrderItem[];
    limit: number | null;
    offset: number | null;
}
