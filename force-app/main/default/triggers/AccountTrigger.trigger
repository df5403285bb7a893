/**
 * Publishes Record_Change__e for changes of Account (docs/record-change-contract.md R1); all logic is in RecordChangeHandler.
 */
trigger AccountTrigger on Account(after insert, after update, after delete, after undelete) {
    RecordChangeHandler.run();
}
