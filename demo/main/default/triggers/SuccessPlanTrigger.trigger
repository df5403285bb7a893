/**
 * The demo customer's one-line trigger: changes of Success_Plan__c reach Statisfy through the package's global entry
 * point (docs/record-change-contract.md R1, "any other object"). In a subscriber org of the managed package the call
 * is statisfy.StatisfyChanges.publish().
 */
trigger SuccessPlanTrigger on Success_Plan__c(after insert, after update, after delete, after undelete) {
    StatisfyChanges.publish();
}
