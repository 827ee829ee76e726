/**
 * The INVITE server transaction (RFC 3261 §17.2.1, Figure 7), with the Accepted state of
 * RFC 6026 §7.1 / §8.7 for 2xx responses.
 *
 *                      INVITE received: created, arm the 100 Trying timer (200 ms)
 *                                   |
 *                                   v
 *   trying timer: send 100    +------------+   INVITE again: resend last 1xx
 *   1xx from TU: send   +---->| proceeding |<----+   (send 100 Trying if none yet)
 *                       +-----|            |-----+
 *                             +------------+
 *         300-699 from TU: send, |       | 2xx from TU: send, arm Timer L
 *         arm G (unreliable), H  |       +--------------------------------+
 *                                v                                        v
 *   Timer G: resend,     +------------+                          +-------------+
 *   G = min(2G, T2) +--->| completed  |     INVITE: absorbed     |  accepted   |<---+
 *   INVITE: resend  +----|            |     ACK: passed up  +--->| Timer L     |    |
 *                        +------------+     2xx from TU: send +--|             |----+
 *             ACK: arm I  |        | Timer H: onTimeout          +-------------+
 *                         v        |                                    |
 *                  +------------+  |                                    | Timer L
 *   ACK, INVITE:   | confirmed  |  |                                    |
 *   absorbed       | Timer I    |  |                                    |
 *                  +------------+  |                                    |
 *    Timer I (0 reliable) |        |                                    |
 *                         v        v                                    v
 *                  +----------------------------------------------------------+
 *                  |                        terminated                        |
 *                  +----------------------------------------------------------+
 *
 * The ACK for a 2xx is not part of this transaction (§17): an RFC 3261 peer sends it with a
 * new branch, so it never matches here; if one does match in accepted (RFC 2543 peers, or a
 * peer reusing the branch), `receiveRequest` returns `false` so the caller passes it up to the
 * TU / dialog (RFC 6026 §8.7: "Any ACKs received from the network while in the "Accepted"
 * state MUST be passed directly to the TU and not absorbed").
 *
 * Transport errors are reported to the TU and the machine stays in its state: RFC 6026 §8.8
 * replaced §17.2.4's "SHOULD transition to the terminated state" with "MUST remain in the
 * current state", so a retransmitted INVITE is still recognised as one.
 */
import type { Header, SipRequest, SipResponse } from '../message.js';
import { createResponse, getHeader, tagOf } from '../message.js';
import { TransactionError } from './errors.js';
import type { ServerTransactionUser, TransactionOptions } from './transaction.js';
import { Transaction } from './transaction.js';

export type InviteServerState = 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

const TRANSITIONS: Readonly<Record<InviteServerState, readonly InviteServerState[]>> = {
  proceeding: ['completed', 'accepted', 'terminated'],
  completed: ['confirmed', 'terminated'],
  confirmed: ['terminated'],
  accepted: ['terminated'],
  terminated: [],
};

export interface InviteServerTransactionOptions extends TransactionOptions<InviteServerTransaction> {
  user?: ServerTransactionUser;
}

export class InviteServerTransaction extends Transaction<InviteServerState, ServerTransactionUser> {
  readonly kind = 'ist';
  private lastProvisional: SipResponse | undefined;
  private lastFinal: SipResponse | undefined;
  /** Current Timer G interval. */
  private intervalG: number;

  /**
   * Create the transaction for a received INVITE (it starts in proceeding). "The server
   * transaction MUST generate a 100 (Trying) response unless it knows that the TU will
   * generate a provisional or final response within 200 ms" (§17.2.1): a timer sends it
   * unless the TU responds first.
   */
  constructor(request: SipRequest, options: InviteServerTransactionOptions) {
    if (request.method !== 'INVITE') {
      throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', `an INVITE server transaction cannot serve ${request.method}`);
    }
    super(request, { ...options, user: options.user ?? {} }, 'proceeding', TRANSITIONS, false);
    this.intervalG = this.durations.timerG;
    this.arm('trying', this.durations.trying, () => this.sendTrying());
  }

  /** The last response handed to the transport (provisional or final). */
  get lastResponse(): SipResponse | undefined {
    return this.lastFinal ?? this.lastProvisional;
  }

  /** The To tag of the final response sent, which an RFC 2543 ACK must carry (§17.2.3). */
  get responseToTag(): string | undefined {
    return this.lastFinal ? tagOf(this.lastFinal.to) : undefined;
  }

  /**
   * A response from the TU. 1xx in proceeding is sent as is; a 2xx moves to accepted; a
   * 300-699 moves to completed and is retransmitted by Timer G on unreliable transports.
   * In accepted, further 2xx (the TU's retransmissions, §13.3.1.4) are sent. Anything else
   * after the final response is discarded, as §17.2.2 says for the non-INVITE machine.
   */
  respond(response: SipResponse): void {
    const status = response.status;
    if (!Number.isInteger(status) || status < 100 || status > 699) {
      throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', `bad status code ${status}`);
    }
    switch (this.state) {
      case 'proceeding':
        if (status < 200) {
          this.disarm('trying');
          this.lastProvisional = response;
          this.send(response);
          return;
        }
        this.lastFinal = response;
        if (status < 300) {
          // RFC 6026 §8.5: "the server transaction MUST pass this response to the transport
          // layer for transmission ... The server transaction MUST then transition to the
          // "Accepted" state." Timer L: 64*T1.
          this.transition('accepted');
          this.arm('timerL', this.durations.timerL, () => this.transition('terminated'));
          this.send(response);
          return;
        }
        // "For unreliable transports, timer G is set to fire in T1 seconds, and is not set to
        // fire for reliable transports ... When the "Completed" state is entered, timer H MUST
        // be set to fire in 64*T1 seconds for all transports."
        this.transition('completed');
        if (!this.reliable) this.arm('timerG', this.intervalG, () => this.fireTimerG());
        this.arm('timerH', this.durations.timerH, () => this.fireTimerH());
        this.send(response);
        return;
      case 'accepted':
        // RFC 6026 §8.7: "Any retransmission of the 2xx response passed from the TU to the
        // transaction while in the "Accepted" state MUST be passed to the transport layer".
        if (status >= 200 && status < 300) this.send(response);
        return;
      default:
        return;
    }
  }

  /**
   * A request that matched this transaction (§17.2.3): a retransmitted INVITE or an ACK.
   * Returns `true` when the transaction absorbed it, `false` when it must be passed up to the
   * TU (an ACK in accepted, RFC 6026).
   */
  receiveRequest(request: SipRequest): boolean {
    if (request.method === 'ACK') {
      switch (this.state) {
        case 'completed':
          // "If an ACK is received while the server transaction is in the "Completed" state,
          // the server transaction MUST transition to the "Confirmed" state." Timer I: T4
          // unreliable, zero reliable.
          this.transition('confirmed');
          if (this.reliable) this.transition('terminated');
          else this.arm('timerI', this.durations.timerI, () => this.transition('terminated'));
          return true;
        case 'accepted':
          return false;
        default:
          // confirmed: "absorb any additional ACK messages"; proceeding: no final response
          // was sent, so there is nothing to acknowledge.
          return true;
      }
    }
    if (request.method === 'INVITE') {
      if (this.state === 'proceeding') {
        // "If a request retransmission is received while in the "Proceeding" state, the most
        // recent provisional response that was received from the TU MUST be passed to the
        // transport layer for retransmission." With none yet, the 100 Trying goes now.
        if (this.lastProvisional) this.send(this.lastProvisional);
        else this.sendTrying();
      } else if (this.state === 'completed' && this.lastFinal) {
        // "while in the "Completed" state, if a request retransmission is received, the
        // server SHOULD pass the response to the transport for retransmission."
        this.send(this.lastFinal);
      }
      // accepted (RFC 6026: absorbed, never passed to the TU, the 2xx is the TU's to
      // retransmit), confirmed, terminated: absorbed.
    }
    return true;
  }

  /**
   * Sending a response failed after the transport's own fallbacks (§18.2.2). RFC 6026 §8.8:
   * "the server transaction SHOULD inform the TU that a failure has occurred, and MUST remain
   * in the current state."
   */
  transportError(error: Error): void {
    if (this.state === 'terminated') return;
    this.note('transport error', { error: error.message });
    this.user.onTransportError?.(error);
  }

  private sendTrying(): void {
    this.disarm('trying');
    // §8.2.6.1: "If there is a Timestamp header field in the request, the UAS MUST copy it
    // into the 100 (Trying) response." createResponse never adds a To tag to a 100.
    const timestamp = getHeader(this.request, 'Timestamp');
    const headers: Header[] = timestamp === undefined ? [] : [{ name: 'Timestamp', value: timestamp }];
    const trying = createResponse(this.request, 100, 'Trying', { headers });
    this.lastProvisional = trying;
    this.send(trying);
  }

  private fireTimerG(): void {
    // "If timer G fires, the response is passed to the transport layer once more for
    // retransmission, and timer G is set to fire in MIN(2*T1, T2) seconds. From then on ...
    // reset with a value that doubles, unless that value exceeds T2".
    this.intervalG = Math.min(2 * this.intervalG, this.config.t2);
    this.arm('timerG', this.intervalG, () => this.fireTimerG());
    if (this.lastFinal) this.send(this.lastFinal);
  }

  private fireTimerH(): void {
    // "If timer H fires while in the "Completed" state, it implies that the ACK was never
    // received. In this case, the server transaction MUST transition to the "Terminated"
    // state, and MUST indicate to the TU that a transaction failure has occurred."
    this.note('Timer H fired: no ACK for the final response');
    this.user.onTimeout?.();
    if (!this.isTerminated) this.transition('terminated');
  }
}
