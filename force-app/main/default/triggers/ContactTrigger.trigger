/**
 * Publishes Record_Change__e for changes of Contact (docs/record-change-contract.md R1); all logic is in RecordChangeHandler.
 */
trigger ContactTrigger on Contact(after insert, after update, after delete, after undelete) {
    RecordChangeHandler.run();
}
