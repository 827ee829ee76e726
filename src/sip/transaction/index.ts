/**
 * The SIP transaction layer (RFC 3261 §17, updated by RFC 6026): the four transaction state
 * machines and the layer that creates them and matches messages to them.
 */
export { TransactionError, TransactionStateError } from './errors.js';
export type { TransactionErrorCode } from './errors.js';
export { DEFAULT_TIMER_CONFIG, timerConfig, timerValues } from './timers.js';
export type { TimerConfig, TimerValues } from './timers.js';
export type {
  ClientTransactionUser,
  ServerTransactionUser,
  TimerName,
  TransactionOptions,
  TransactionState,
} from './transaction.js';
export { InviteClientTransaction, createAck, createCancel } from './invite-client-transaction.js';
export type { InviteClientState, InviteClientTransactionOptions } from './invite-client-transaction.js';
export { NonInviteClientTransaction } from './non-invite-client-transaction.js';
export type { NonInviteClientState, NonInviteClientTransactionOptions } from './non-invite-client-transaction.js';
export { InviteServerTransaction } from './invite-server-transaction.js';
export type { InviteServerState, InviteServerTransactionOptions } from './invite-server-transaction.js';
export { NonInviteServerTransaction } from './non-invite-server-transaction.js';
export type { NonInviteServerState, NonInviteServerTransactionOptions } from './non-invite-server-transaction.js';
export { MAGIC_COOKIE, hasMagicCookie } from './matching.js';
export { TransactionLayer } from './transaction-layer.js';
export type {
  ClientContext,
  ClientTransaction,
  RequestMatch,
  ServerContext,
  ServerTransaction,
  TransactionLayerOptions,
} from './transaction-layer.js';
