/**
 * Publishes Record_Change__e for changes of Sync_Object__c (docs/record-change-contract.md R1); all logic is in RecordChangeHandler.
 */
trigger SyncObjectTrigger on Sync_Object__c(after insert, after update, after delete, after undelete) {
    RecordChangeHandler.run();
}
