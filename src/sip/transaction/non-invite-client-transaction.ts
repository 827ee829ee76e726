/**
 * The non-INVITE client transaction (RFC 3261 §17.1.2, Figure 6).
 *
 *                  start(): send request, arm Timer E (unreliable only) and Timer F
 *                                   |
 *                                   v
 *    Timer E: resend,          +-----------+
 *    E = min(2E, T2)  +------->|  trying   |  Timer F: onTimeout
 *                     +--------|           |------------------------------------+
 *                              +-----------+                                    |
 *                1xx: onProvisional |  \  200-699: onFinal                      |
 *                                   v   \                                       |
 *    Timer E: resend,          +-----------+   \                                |
 *    E = T2           +------->| proceeding|----+---------+  Timer F: onTimeout |
 *    1xx: onProvisional -------|           |--------------|---------------------+
 *                              +-----------+   200-699:   |                     |
 *                                              onFinal    v                     |
 *                                                   +-----------+               |
 *                        responses absorbed +------>| completed |               |
 *                                           +-------| Timer K   |               |
 *                                                   +-----------+               |
 *                                                         | Timer K (0 reliable)|
 *                                                         v                     |
 *                                                   +------------+              |
 *                                                   | terminated |<-------------+
 *                                                   +------------+
 *
 * A transport error in trying or proceeding is reported and terminates the machine
 * (§17.1.4). In completed the machine sends nothing, so a late failure is reported only.
 */
import type { SipRequest, SipResponse } from '../message.js';
import { TransactionError } from './errors.js';
import type { ClientTransactionUser, TransactionOptions } from './transaction.js';
import { Transaction } from './transaction.js';

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

const TRANSITIONS: Readonly<Record<NonInviteClientState, readonly NonInviteClientState[]>> = {
  trying: ['proceeding', 'completed', 'terminated'],
  proceeding: ['completed', 'terminated'],
  completed: ['terminated'],
  terminated: [],
};

/** Timers E and F run through trying and proceeding. */
const RUNNING: readonly NonInviteClientState[] = ['trying', 'proceeding'];

export interface NonInviteClientTransactionOptions extends TransactionOptions<NonInviteClientTransaction> {
  user: ClientTransactionUser;
}

export class NonInviteClientTransaction extends Transaction<NonInviteClientState, ClientTransactionUser> {
  readonly kind = 'nict';
  private started = false;
  /** Current Timer E interval. */
  private intervalE: number;

  constructor(request: SipRequest, options: NonInviteClientTransactionOptions) {
    if (request.method === 'INVITE' || request.method === 'ACK') {
      throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', `a non-INVITE client transaction cannot send ${request.method}`);
    }
    super(request, options, 'trying', TRANSITIONS, true);
    this.intervalE = this.durations.timerE;
  }

  /**
   * Send the request. "When entering this state, the client transaction SHOULD set timer F to
   * fire in 64*T1 seconds ... If an unreliable transport is in use, the client transaction
   * MUST set timer E to fire in T1 seconds" (§17.1.2.2).
   */
  start(): void {
    if (this.started) throw new TransactionError('ERR_SIP_TRANSACTION_STATE', 'nict: already started');
    this.started = true;
    if (!this.reliable) this.arm('timerE', this.intervalE, () => this.fireTimerE(), RUNNING);
    this.arm('timerF', this.durations.timerF, () => this.fireTimerF(), RUNNING);
    this.send(this.request);
  }

  /** A response whose top Via branch and CSeq method match this transaction (§17.1.3). */
  receiveResponse(response: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return; // completed absorbs
    if (response.status < 200) {
      if (this.state === 'trying') this.transition('proceeding');
      this.user.onProvisional?.(response);
      return;
    }
    // "If a final response (status codes 200-699) is received while in the "Trying" [or
    // "Proceeding"] state, the response MUST be passed to the TU, and the client transaction
    // MUST transition to the "Completed" state." Timer K: T4 unreliable, zero reliable.
    this.transition('completed');
    if (!this.reliable) this.arm('timerK', this.durations.timerK, () => this.transition('terminated'));
    this.user.onFinal?.(response);
    if (this.reliable && this.inState('completed')) this.transition('terminated');
  }

  /** The caller could not send the request (§17.1.4). */
  transportError(error: Error): void {
    if (this.state === 'terminated') return;
    this.note('transport error', { error: error.message });
    this.user.onTransportError?.(error);
    if (this.state !== 'completed' && !this.isTerminated) this.transition('terminated');
  }

  private fireTimerE(): void {
    // Trying: "the timer is reset, but this time with a value of MIN(2*T1, T2) ... MIN(4*T1,
    // T2)". Proceeding: "Timer E MUST be reset with a value of T2 seconds."
    this.intervalE = this.state === 'trying' ? Math.min(2 * this.intervalE, this.config.t2) : this.config.t2;
    this.arm('timerE', this.intervalE, () => this.fireTimerE(), RUNNING);
    this.send(this.request);
  }

  private fireTimerF(): void {
    // "If timer F fires while the client transaction is still in the "Trying" [or
    // "Proceeding"] state, the client transaction SHOULD inform the TU about the timeout".
    this.note('Timer F fired: no final response');
    this.user.onTimeout?.();
    if (!this.isTerminated) this.transition('terminated');
  }
}
