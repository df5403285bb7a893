/**
 * Publishes Record_Change__e for changes of Field_Mapping__c (docs/record-change-contract.md R1); all logic is in RecordChangeHandler.
 */
trigger FieldMappingTrigger on Field_Mapping__c(after insert, after update, after delete, after undelete) {
    RecordChangeHandler.run();
}
