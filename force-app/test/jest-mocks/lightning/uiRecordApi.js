/**
 * Jest mock of lightning/uiRecordApi. `getRecord` and friends are plain jest.fn adapters that tests
 * replace with `createLdsTestWireAdapter`; the imperative functions resolve by default.
 */
export const getRecord = jest.fn();
export const getRecords = jest.fn();
export const getRecordCreateDefaults = jest.fn();
export const updateRecord = jest.fn().mockResolvedValue({});
export const createRecord = jest.fn().mockResolvedValue({});
export const deleteRecord = jest.fn().mockResolvedValue();
export const notifyRecordUpdateAvailable = jest.fn().mockResolvedValue();
export const generateRecordInputForCreate = jest.fn();
export const generateRecordInputForUpdate = jest.fn();
export const createRecordInputFilteredByEditedFields = jest.fn();
export const getRecordInput = jest.fn();

/** Reads `fieldReference.fieldApiName` (dotted paths allowed) from a record's `fields`. */
export const getFieldValue = jest.fn((record, fieldReference) => {
    if (!record) {
        return undefined;
    }
    const path = (fieldReference.fieldApiName ?? fieldReference).split('.');
    let node = record.result ? record.result : record;
    for (const part of path) {
        node = node?.fields?.[part];
        if (node === undefined) {
            return null;
        }
        if (part !== path[path.length - 1]) {
            node = node.value;
        }
    }
    return node?.value ?? null;
});
export const getFieldDisplayValue = jest.fn();
