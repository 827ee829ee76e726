/**
 * The INVITE client transaction (RFC 3261 §17.1.1, Figure 5), with the Accepted state of
 * RFC 6026 §8.4, and the two requests a UAC builds from its INVITE without the TU: the ACK
 * for a 3xx-6xx (§17.1.1.3) and the CANCEL (§9.1).
 *
 *                      start(): send INVITE, arm Timer A (unreliable only) and Timer B
 *                                   |
 *                                   v
 *     Timer A: resend INVITE,  +-----------+  Timer B: onTimeout
 *     A doubles       +------->|  calling  |----------------------------------------+
 *                     +--------|           |--------------------+                   |
 *                              +-----------+  2xx: onFinal      |                   |
 *                 1xx: onProvisional |                          |                   |
 *                                    v                          v                   |
 *          1xx: onProvisional  +------------+   2xx: onFinal  +-----------+         |
 *                     +------->| proceeding |---------------->| accepted  |<-----+  |
 *                     +--------|            |                 | Timer M   |------+  |
 *                              +------------+                 +-----------+  2xx:   |
 *    300-699 (from calling too):     |                              |     onFinal   |
 *    send ACK, onFinal               v                              |               |
 *                              +------------+                       | Timer M       |
 *    3xx-6xx again:   +------->| completed  |                       |               |
 *    resend ACK only  +--------| Timer D    |                       |               |
 *                              +------------+                       |               |
 *                                    | Timer D (0 on reliable)      |               |
 *                                    v                              v               |
 *                              +--------------------------------------------+       |
 *                              |                 terminated                 |<------+
 *                              +--------------------------------------------+
 *
 * A transport error in calling, proceeding or completed is reported with onTransportError and
 * terminates the machine (§17.1.4). In accepted the machine sends nothing, so a late failure
 * (of the INVITE sent earlier) is reported but the machine stays to pass 2xx up (RFC 6026).
 */
import type { Header, SipRequest, SipResponse } from '../message.js';
import { createRequest } from '../message.js';
import { cloneNameAddr, cloneUri, cloneVia } from './clone.js';
import { TransactionError } from './errors.js';
import type { ClientTransactionUser, TransactionOptions } from './transaction.js';
import { Transaction } from './transaction.js';

export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

const TRANSITIONS: Readonly<Record<InviteClientState, readonly InviteClientState[]>> = {
  calling: ['proceeding', 'completed', 'accepted', 'terminated'],
  proceeding: ['completed', 'accepted', 'terminated'],
  completed: ['terminated'],
  accepted: ['terminated'],
  terminated: [],
};

export interface InviteClientTransactionOptions extends TransactionOptions<InviteClientTransaction> {
  user: ClientTransactionUser;
}

export class InviteClientTransaction extends Transaction<InviteClientState, ClientTransactionUser> {
  readonly kind = 'ict';
  private started = false;
  /** Current Timer A interval; doubles on every firing (§17.1.1.2). */
  private intervalA: number;
  private lastAck: SipRequest | undefined;

  constructor(request: SipRequest, options: InviteClientTransactionOptions) {
    if (request.method !== 'INVITE') {
      throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', `an INVITE client transaction cannot send ${request.method}`);
    }
    super(request, options, 'calling', TRANSITIONS, true);
    this.intervalA = this.durations.timerA;
  }

  /** The ACK this transaction sent for a 3xx-6xx, if it has sent one. */
  get ack(): SipRequest | undefined {
    return this.lastAck;
  }

  /**
   * Send the INVITE. "The client transaction MUST start timer B with a value of 64*T1 ... If
   * an unreliable transport is being used, the client transaction MUST start timer A with a
   * value of T1" (§17.1.1.2). Timers are armed before the send, so a transport error reported
   * from inside `send` finds them and disarms them.
   */
  start(): void {
    if (this.started) throw new TransactionError('ERR_SIP_TRANSACTION_STATE', 'ict: already started');
    this.started = true;
    if (!this.reliable) this.arm('timerA', this.intervalA, () => this.fireTimerA());
    this.arm('timerB', this.durations.timerB, () => this.fireTimerB());
    this.send(this.request);
  }

  /** A response whose top Via branch and CSeq method match this transaction (§17.1.3). */
  receiveResponse(response: SipResponse): void {
    const status = response.status;
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        if (status < 200) {
          // "If the client transaction receives a provisional response while in the "Calling"
          // state, it transitions to the "Proceeding" state ... Furthermore, the provisional
          // response MUST be passed to the TU." Timers A and B live only in calling.
          if (this.state === 'calling') this.transition('proceeding');
          this.user.onProvisional?.(response);
          return;
        }
        if (status < 300) {
          // RFC 6026 §8.4: a 2xx moves to Accepted, is passed up, and Timer M is started.
          this.transition('accepted');
          this.arm('timerM', this.durations.timerM, () => this.transition('terminated'));
          this.user.onFinal?.(response);
          return;
        }
        // "reception of a response with status code from 300-699 MUST cause the client
        // transaction to transition to "Completed". The client transaction MUST pass the
        // received response up to the TU, and the client transaction MUST generate an ACK".
        this.transition('completed');
        if (!this.reliable) this.arm('timerD', this.durations.timerD, () => this.transition('terminated'));
        this.lastAck = createAck(this.request, response);
        this.send(this.lastAck);
        if (!this.inState('completed')) return; // the ACK could not be sent: already terminated
        this.user.onFinal?.(response);
        // Timer D is zero on reliable transports.
        if (this.reliable && this.inState('completed')) this.transition('terminated');
        return;
      case 'completed':
        // "Any retransmissions of the final response that are received while in the
        // "Completed" state MUST cause the ACK to be re-passed to the transport layer for
        // retransmission, but the newly received response MUST NOT be passed up to the TU."
        if (status >= 300 && this.lastAck) this.send(this.lastAck);
        return;
      case 'accepted':
        // RFC 6026 §8.4: "Any 2xx responses that match this client transaction and that are
        // received while in the "Accepted" state MUST be passed up to the TU. The client
        // transaction MUST NOT generate an ACK to the 2xx response."
        if (status >= 200 && status < 300) this.user.onFinal?.(response);
        return;
      case 'terminated':
        return;
    }
  }

  /** The caller could not send a message of this transaction (§17.1.4). */
  transportError(error: Error): void {
    if (this.state === 'terminated') return;
    this.note('transport error', { error: error.message });
    this.user.onTransportError?.(error);
    if (this.state !== 'accepted' && !this.isTerminated) this.transition('terminated');
  }

  /** The CANCEL for this INVITE (§9.1). The UAC sends it in its own non-INVITE client
   * transaction, and only once a provisional response has arrived (state `proceeding`). */
  createCancel(headers?: Header[]): SipRequest {
    return createCancel(this.request, headers);
  }

  private fireTimerA(): void {
    // "When timer A fires, the client transaction MUST retransmit the request by passing it
    // to the transport layer, and MUST reset the timer with a value of 2*T1." No cap: Timer B
    // ends the calling state first.
    this.intervalA *= 2;
    this.arm('timerA', this.intervalA, () => this.fireTimerA());
    this.send(this.request);
  }

  private fireTimerB(): void {
    // "If the client transaction is still in the "Calling" state when timer B fires, the
    // client transaction SHOULD inform the TU that a timeout has occurred."
    this.note('Timer B fired: no response to the INVITE');
    this.user.onTimeout?.();
    if (!this.isTerminated) this.transition('terminated');
  }
}

/**
 * The ACK for a 3xx-6xx final response to `invite` (§17.1.1.3): Request-URI, Call-ID and From
 * of the INVITE; To of the response (with its tag); CSeq number of the INVITE with method ACK;
 * a single Via equal to the INVITE's top Via; the INVITE's Route set; no body.
 */
export function createAck(invite: SipRequest, response: SipResponse): SipRequest {
  const top = invite.via[0];
  if (!top) throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', 'the INVITE has no Via');
  return createRequest({
    method: 'ACK',
    uri: cloneUri(invite.uri),
    via: [cloneVia(top)],
    from: cloneNameAddr(invite.from),
    to: cloneNameAddr(response.to),
    callId: invite.callId,
    cseq: { seq: invite.cseq.seq, method: 'ACK' },
    maxForwards: 70,
    route: invite.route.map(cloneNameAddr),
  });
}

/**
 * The CANCEL for `request` (§9.1): "The Request-URI, Call-ID, To, the numeric part of CSeq,
 * and From header fields in the CANCEL request MUST be identical to those in the request being
 * cancelled, including tags. A CANCEL constructed by a client MUST have only a single Via
 * header field value matching the top Via value in the request being cancelled." Route is
 * copied too. `headers` adds e.g. a Reason header (RFC 3326).
 */
export function createCancel(request: SipRequest, headers: Header[] = []): SipRequest {
  const top = request.via[0];
  if (!top) throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', 'the request to cancel has no Via');
  return createRequest({
    method: 'CANCEL',
    uri: cloneUri(request.uri),
    via: [cloneVia(top)],
    from: cloneNameAddr(request.from),
    to: cloneNameAddr(request.to),
    callId: request.callId,
    cseq: { seq: request.cseq.seq, method: 'CANCEL' },
    maxForwards: 70,
    route: request.route.map(cloneNameAddr),
    headers: headers.map((h) => ({ ...h })),
  });
}
