/**
 * Publishes Record_Change__e for changes of Opportunity (docs/record-change-contract.md R1); all logic is in RecordChangeHandler.
 */
trigger OpportunityTrigger on Opportunity(after insert, after update, after delete, after undelete) {
    RecordChangeHandler.run();
}
