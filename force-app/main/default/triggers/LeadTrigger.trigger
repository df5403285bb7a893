/**
 * Publishes Record_Change__e for changes of Lead (docs/record-change-contract.md R1); all logic is in RecordChangeHandler.
 */
trigger LeadTrigger on Lead(after insert, after update, after delete, after undelete) {
    RecordChangeHandler.run();
}
