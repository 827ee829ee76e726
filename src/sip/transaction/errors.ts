/**
 * Errors of the transaction layer (STYLE.md §5). They are thrown only for programmer errors:
 * a move the RFC does not allow, a request the layer cannot run a transaction for, a second
 * transaction under a key already in use. Network failures and timeouts are not errors here:
 * they are state transitions reported to the transaction user.
 */

export type TransactionErrorCode =
  /** A state change RFC 3261 §17 (as updated by RFC 6026) does not allow. */
  | 'ERR_SIP_TRANSACTION_STATE'
  /** A bad argument: a request without a Via, an ACK handed to a client transaction, bad timer values. */
  | 'ERR_SIP_TRANSACTION_ARGUMENT'
  /** A transaction with this key (branch, sent-by, method) already exists. */
  | 'ERR_SIP_TRANSACTION_EXISTS'
  /** The transaction layer was closed. */
  | 'ERR_SIP_TRANSACTION_CLOSED';

export class TransactionError extends Error {
  readonly code: TransactionErrorCode;
  constructor(code: TransactionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransactionError';
    this.code = code;
  }
}

/** Thrown by `transition(to)` for a move the state diagram does not have. */
export class TransactionStateError extends TransactionError {
  readonly from: string;
  readonly to: string;
  constructor(machine: string, from: string, to: string) {
    super('ERR_SIP_TRANSACTION_STATE', `${machine}: no transition from ${from} to ${to}`);
    this.name = 'TransactionStateError';
    this.from = from;
    this.to = to;
  }
}
