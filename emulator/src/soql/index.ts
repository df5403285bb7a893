/**
 * The emulator's SOQL engine: a hand-written lexer and recursive-descent parser ({@link parseSoql})
 * and an executor ({@link executeSoql}) that answers queries from a {@link SoqlDataSource} in the REST
 * API's record shape, with Salesforce's error codes and wording ({@link SoqlError}).
 */
export { parseSoql, MAX_OFFSET } from './parser';
export { executeSoql, executeSoqlPaged } from './executor';
export { queryColumns } from './columns';
export type { ColumnMetadata, QueryColumns } from './columns';
export type { SoqlDataSource, SoqlResult, SoqlPagedResult, ExecuteSoqlOptions } from './executor';
export { SoqlError } from './errors';
export type { SoqlErrorCode, SoqlErrorLocation } from './errors';
export type { SoqlQuery, SelectItem, Condition, Literal, OrderItem, FieldPath } from './ast';
export { dateLiteralRange } from './dates';
export type { DateRange } from './dates';
