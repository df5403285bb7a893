/**
 * The units the record store works in: a record (`Rec`), a DML failure with Salesforce's status code
 * (`DmlError`), one change as a trigger sees it, and the transaction that groups DML statements
 * (one `op` per statement = one trigger invocation) with its undo log and savepoints.
 */

/** A record in REST JSON form, keyed by canonical field API names. */
export type Rec = Record<string, unknown>;

/** A DML failure, shaped like Salesforce's `{statusCode|errorCode, message, fields}`. */
export class DmlError extends Error {
    constructor(
        readonly statusCode: string,
        message: string,
        readonly fields: string[] = [],
        /** HTTP status for single-record REST calls. */
        readonly httpStatus = 400
    ) {
        super(message);
    }
}

/** One committed (or pending) change, as a trigger would see it. */
export interface Change {
    objectName: string;
    type: 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';
    id: string;
    old: Rec | null;
    new: Rec | null;
    /** Sequence number of the DML statement inside the transaction (one trigger invocation each). */
    op: number;
    /** Cascade-deleted/undeleted master-detail children: Salesforce fires no triggers for these. */
    cascade: boolean;
}

/** A unit of work: DML statements that commit or roll back together. */
export class Transaction {
    readonly changes: Change[] = [];
    /** Undo log, applied in reverse on rollback. */
    readonly undo: Array<() => void> = [];
    private opSeq = 0;
    op = 0;
    done = false;
    constructor(readonly userId: string) {}

    /** Marks the start of a new DML statement (a new trigger invocation). */
    nextOp(): number {
        this.op = ++this.opSeq;
        return this.op;
    }

    /** A savepoint: pass it to {@link RecordStore.rollbackTo} to undo everything after it. */
    savepoint(): { undo: number; changes: number } {
        return { undo: this.undo.length, changes: this.changes.length };
    }
}

/** Listener called after a transaction commits, with its changes in order. */
export type CommitListener = (changes: Change[], tx: Transaction) => void;
