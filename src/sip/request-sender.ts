/**
 * The seam between usages (registration, OPTIONS pings, later subscriptions) and the UA that
 * sends their requests: the UA fills in Via and branch, picks the destination (Route set,
 * outbound proxy, RFC 3263 with failover), runs the client transaction, answers digest
 * challenges, and reports exactly one outcome.
 */
import type { SipRequest, SipResponse } from './message.js';

export type RequestOutcome =
  /** A final response (after any digest retries). */
  | { kind: 'response'; response: SipResponse }
  /** The challenge could not be answered: no credentials for the realm, or they were rejected. */
  | { kind: 'auth-failed'; response: SipResponse; reason: string }
  /** Timer B/F fired on every target tried (RFC 3261 §17.1.2.2: treated as a 408). */
  | { kind: 'timeout' }
  /** The transport could not deliver it to any target (refused, TLS failure, unresolvable). */
  | { kind: 'transport-error'; reason: string };

export interface RequestHandlers {
  /** Provisional responses, in order. */
  onProvisional?: (response: SipResponse) => void;
  /** Exactly one call. */
  onOutcome: (outcome: RequestOutcome) => void;
}

export interface RequestSender {
  /** Send an out-of-dialog non-INVITE request. The UA mutates `request` (Via, CSeq on digest
   * retries, credentials) so the caller can read the final CSeq from it. */
  sendRequest(request: SipRequest, handlers: RequestHandlers): void;
}
