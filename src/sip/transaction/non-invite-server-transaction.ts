/**
 * The non-INVITE server transaction (RFC 3261 §17.2.2, Figure 8).
 *
 *                      request received: created
 *                                   |
 *                                   v
 *                            +------------+
 *     request again:   +---->|   trying   |
 *     discarded        +-----|            |-------------------+
 *                            +------------+                   |
 *             1xx from TU: send |                              |
 *                               v                              |
 *     1xx from TU: send      +------------+                    | 200-699 from TU:
 *     request again:   +---->| proceeding |                    | send, arm Timer J
 *     resend last 1xx  +-----|            |                    |
 *                            +------------+                    |
 *           200-699 from TU: send, |                           |
 *           arm Timer J            v                           |
 *     request again:         +------------+                    |
 *     resend final     +---->| completed  |<-------------------+
 *     TU responses:    +-----| Timer J    |
 *     discarded              +------------+
 *                                  | Timer J (0 on reliable transports)
 *                                  v
 *                            +------------+
 *                            | terminated |
 *                            +------------+
 *
 * Transport errors are reported to the TU and the machine stays in its state (§17.2.4 as
 * replaced by RFC 6026 §8.8), so retransmitted requests are still absorbed.
 */
import type { SipRequest, SipResponse } from '../message.js';
import { TransactionError } from './errors.js';
import type { ServerTransactionUser, TransactionOptions } from './transaction.js';
import { Transaction } from './transaction.js';

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

const TRANSITIONS: Readonly<Record<NonInviteServerState, readonly NonInviteServerState[]>> = {
  trying: ['proceeding', 'completed', 'terminated'],
  proceeding: ['completed', 'terminated'],
  completed: ['terminated'],
  terminated: [],
};

export interface NonInviteServerTransactionOptions extends TransactionOptions<NonInviteServerTransaction> {
  user?: ServerTransactionUser;
}

export class NonInviteServerTransaction extends Transaction<NonInviteServerState, ServerTransactionUser> {
  readonly kind = 'nist';
  private lastProvisional: SipResponse | undefined;
  private lastFinal: SipResponse | undefined;

  /** Create the transaction for a received non-INVITE request (it starts in trying). */
  constructor(request: SipRequest, options: NonInviteServerTransactionOptions) {
    if (request.method === 'INVITE' || request.method === 'ACK') {
      throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', `a non-INVITE server transaction cannot serve ${request.method}`);
    }
    super(request, { ...options, user: options.user ?? {} }, 'trying', TRANSITIONS, false);
  }

  /** The last response handed to the transport. */
  get lastResponse(): SipResponse | undefined {
    return this.lastFinal ?? this.lastProvisional;
  }

  /**
   * A response from the TU. "While in the "Trying" state, if the TU passes a provisional
   * response to the server transaction, the server transaction MUST enter the "Proceeding"
   * state ... If the TU passes a final response (status codes 200-699) ... the transaction
   * MUST enter the "Completed" state ... Any other final responses passed by the TU to the
   * server transaction MUST be discarded while in the "Completed" state."
   */
  respond(response: SipResponse): void {
    const status = response.status;
    if (!Number.isInteger(status) || status < 100 || status > 699) {
      throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', `bad status code ${status}`);
    }
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    if (status < 200) {
      if (this.state === 'trying') this.transition('proceeding');
      this.lastProvisional = response;
      this.send(response);
      return;
    }
    // "When the server transaction enters the "Completed" state, it MUST set Timer J to fire
    // in 64*T1 seconds for unreliable transports, and zero seconds for reliable transports."
    this.lastFinal = response;
    this.transition('completed');
    if (!this.reliable) this.arm('timerJ', this.durations.timerJ, () => this.transition('terminated'));
    this.send(response);
    if (this.reliable && this.inState('completed')) this.transition('terminated');
  }

  /** A retransmission of the request (§17.2.3 matched it here). */
  receiveRequest(_request: SipRequest): void {
    switch (this.state) {
      case 'trying':
        // "Once in the "Trying" state, any further request retransmissions are discarded."
        return;
      case 'proceeding':
        // "If a retransmission of the request is received while in the "Proceeding" state,
        // the most recently sent provisional response MUST be passed to the transport layer".
        if (this.lastProvisional) this.send(this.lastProvisional);
        return;
      case 'completed':
        // "While in the "Completed" state, the server transaction MUST pass the final
        // response to the transport layer for retransmission whenever a retransmission of
        // the request is received."
        if (this.lastFinal) this.send(this.lastFinal);
        return;
      case 'terminated':
        return;
    }
  }

  /** Sending a response failed: reported, and the machine stays put (RFC 6026 §8.8). */
  transportError(error: Error): void {
    if (this.state === 'terminated') return;
    this.note('transport error', { error: error.message });
    this.user.onTransportError?.(error);
  }
}
