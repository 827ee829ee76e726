/**
 * An established INVITE session (RFC 3261 §13-§15), the same object on both sides: it owns the
 * confirmed dialog and handles what happens inside it.
 *
 *                 ┌──────────── re-INVITE (§14), INFO (RFC 6086), OPTIONS ───────────┐
 *                 v                                                                  │
 *   accepted ─► confirmed ───────────────────────────────────────────────────────────┘
 *   (UAS: 2xx       │  BYE sent or received (§15), 481/408 to a request (§12.2.1.2),
 *   retransmitted   │  no ACK for our 2xx within 64*T1 (§13.3.1.4)
 *   until the ACK)  v
 *               terminated ('terminated' event, once)
 *
 * 2xx retransmission (UAS, §13.3.1.4): the 2xx to an INVITE is handed to the transport again
 * at T1, 2*T1, ... capped at T2 until the ACK comes; after 64*T1 without one the session is
 * ended with a BYE. The UAC side re-sends its ACK for every retransmitted 2xx (§13.2.2.4).
 *
 * Glare (§14.1): a re-INVITE arriving while ours is pending gets 491; our re-INVITE that gets
 * 491 is retried after a random back-off (2.1-4 s, in 10 ms units, if we own the Call-ID,
 * else 0-2 s). A re-INVITE arriving before we answered the previous one gets 500 with
 * Retry-After (§14.2).
 */
import type { Logger } from '../../platform/logger.js';
import type { TimerHandle } from '../../platform/scheduler.js';
import type { Body } from '../dialog/body.js';
import { bodyOf } from '../dialog/body.js';
import type { Dialog } from '../dialog/dialog.js';
import { DialogError } from '../dialog/dialog.js';
import { Emitter } from '../../platform/emitter.js';
import type { SipRequest, SipResponse, Uri } from '../message.js';
import type { RequestOutcome } from '../request-sender.js';
import type { InviteServerTransaction } from '../transaction/index.js';
import { optionsHeaders } from '../uas-core.js';
import type { IncomingRequest } from '../user-agent.js';
import type { DialogUsage, SessionHost } from './host.js';
import { capabilityHeaders, initialSeq, uniform } from './host.js';
import type { EndCause } from './reasons.js';
import { ReferClient } from './refer.js';

export interface ReinviteEvent {
  /** The offer; undefined for a re-INVITE without SDP (then accept with an offer, and the
   * answer arrives in the 'ack' event). */
  body?: Body;
  request: SipRequest;
  accept(body?: Body): void;
  reject(status: number, reason?: string): void;
}

export interface InfoEvent {
  contentType?: string;
  body: Uint8Array;
  request: SipRequest;
  respond(status: number): void;
}

export interface TerminatedEvent {
  by: 'local' | 'remote';
  reason: string;
  cause: EndCause;
}

export interface InviteSessionEvents {
  [key: string]: unknown;
  /** The ACK for our 2xx (UAS side; also after a re-INVITE we accepted). */
  ack: { body?: Body };
  reinvite: ReinviteEvent;
  info: InfoEvent;
  terminated: TerminatedEvent;
}

export type SessionState = 'confirmed' | 'terminated';

/** A 2xx of ours waiting for its ACK. */
interface AwaitingAck {
  seq: number;
  retransmit: TimerHandle | undefined;
  deadline: TimerHandle;
}

const MAX_GLARE_RETRIES = 5;

export class InviteSession extends Emitter<InviteSessionEvents> implements DialogUsage {
  readonly dialog: Dialog;
  readonly role: 'uac' | 'uas';
  private readonly host: SessionHost;
  private readonly log: Logger;
  private current: SessionState = 'confirmed';
  private awaiting: AwaitingAck | undefined;
  /** Our last ACK for a 2xx (UAC side: the initial INVITE and our re-INVITEs). */
  private lastAck: SipRequest | undefined;
  private ackForget: TimerHandle | undefined;
  /** A 2xx to our late-offer re-INVITE, waiting for ackWith(answer). */
  private pendingLateAck: SipResponse | undefined;
  /** Our INVITE transaction is in progress (§14.1 glare: the peer's gets 491). */
  private outgoingInvite = false;
  /** reinvite() has not resolved yet (includes a glare back-off). */
  private reinviting = false;
  private incomingInvite: IncomingRequest | undefined;
  private byeDone: Promise<void> | undefined;
  private sendByeAfterAck: (() => void) | undefined;
  private readonly timers = new Set<TimerHandle>();
  /** REFERs we sent whose implicit subscription is still open (RFC 3515). */
  private readonly refers = new Set<ReferClient>();

  constructor(host: SessionHost, dialog: Dialog, role: 'uac' | 'uas') {
    super();
    this.host = host;
    this.dialog = dialog;
    this.role = role;
    this.log = host.logger.child('sip.invite');
  }

  get state(): SessionState {
    return this.current;
  }

  get callId(): string {
    return this.dialog.id.callId;
  }

  // ─── the ACK and the 2xx (§13.2.2.4, §13.3.1.4) ────────────────────────────────────────

  /** UAS: retransmit `response` (a 2xx we sent in `transaction`) until the ACK arrives. */
  awaitAck(response: SipResponse, transaction: InviteServerTransaction): void {
    const t1 = this.host.timers.t1;
    const t2 = this.host.timers.t2;
    let interval = t1;
    const state: AwaitingAck = {
      seq: response.cseq.seq,
      retransmit: undefined,
      deadline: this.after(64 * t1, () => this.noAck()),
    };
    const fire = () => {
      // "the 2xx response is passed to the transport with an interval that starts at T1
      // seconds and doubles for each retransmission until it reaches T2 seconds"
      transaction.respond(response);
      interval = Math.min(2 * interval, t2);
      state.retransmit = this.after(interval, fire);
    };
    state.retransmit = this.after(interval, fire);
    this.awaiting = state;
  }

  /** UAC: remember the ACK we sent for the 2xx, to re-send it for each retransmission. */
  ackSent(ack: SipRequest): void {
    this.keepAck(ack);
  }

  /**
   * The ACK is kept while the UAS may still retransmit its 2xx: 64*T1 (RFC 3261 §13.3.1.4),
   * then let go, so a long call does not hold a copy of it (bench/footprint, per call).
   */
  private keepAck(ack: SipRequest): void {
    this.lastAck = ack;
    this.cancelTimer(this.ackForget);
    this.ackForget = this.after(64 * this.host.timers.t1, () => {
      if (this.lastAck === ack) this.lastAck = undefined;
      this.ackForget = undefined;
    });
  }

  /** UAC: a retransmitted 2xx of one of our INVITEs in this dialog came in. */
  receive2xxAgain(response: SipResponse): void {
    if (this.lastAck && this.lastAck.cseq.seq === response.cseq.seq) void this.host.sendAck(this.lastAck);
  }

  receiveAck(ack: SipRequest): void {
    const waiting = this.awaiting;
    if (!waiting || ack.cseq.seq !== waiting.seq) return; // a retransmitted ACK: nothing to do
    this.awaiting = undefined;
    this.cancelTimer(waiting.retransmit);
    this.cancelTimer(waiting.deadline);
    const then = this.sendByeAfterAck;
    this.sendByeAfterAck = undefined;
    if (then) {
      then();
      return;
    }
    this.emit('ack', { body: bodyOf(ack) });
  }

  private noAck(): void {
    const waiting = this.awaiting;
    if (!waiting) return;
    this.awaiting = undefined;
    this.cancelTimer(waiting.retransmit);
    const then = this.sendByeAfterAck;
    this.sendByeAfterAck = undefined;
    if (then) {
      then();
      return;
    }
    // §13.3.1.4: "If the server retransmits the 2xx response for 64*T1 seconds without
    // receiving an ACK, the dialog is confirmed, but the session SHOULD be terminated. This
    // is accomplished with a BYE".
    this.log.info('no ACK for the 2xx: ending the session', { callId: this.callId });
    this.sendBye();
    this.end('local', 'no ACK for our 2xx within 64*T1', 'timeout');
  }

  // ─── requests from the peer ────────────────────────────────────────────────────────────

  receiveRequest(incoming: IncomingRequest): void {
    const req = incoming.request;
    if (this.current === 'terminated') {
      incoming.respond(481);
      return;
    }
    const order = this.dialog.receiveRequest(req);
    if (!order.ok) {
      incoming.respond(order.status, order.reason);
      return;
    }
    switch (req.method) {
      case 'BYE':
        // §15.1.2: "the UAS MUST still respond to any pending requests received for that
        // dialog. It is RECOMMENDED that a 487 (Request Terminated) response be generated".
        incoming.respond(200);
        this.incomingInvite?.respond(487);
        this.incomingInvite = undefined;
        this.end('remote', 'BYE', 'normal');
        return;
      case 'INVITE':
        this.receiveReinvite(incoming);
        return;
      case 'INFO':
        this.receiveInfo(incoming);
        return;
      case 'OPTIONS':
        incoming.respond(200, 'OK', { headers: optionsHeaders(this.host.capabilities) });
        return;
      case 'NOTIFY': {
        // RFC 3515 §2.4.4: the progress of a REFER we sent; RFC 6665 §4.1.3: 481 for a
        // NOTIFY that matches no subscription.
        const refer = [...this.refers].find((r) => r.matches(incoming));
        if (refer) refer.receiveNotify(incoming);
        else incoming.respond(481, 'Subscription Does Not Exist');
        return;
      }
      default:
        incoming.respond(405, 'Method Not Allowed', { headers: [{ name: 'Allow', value: this.host.capabilities.allow.join(', ') }] });
    }
  }

  private receiveReinvite(incoming: IncomingRequest): void {
    // §14.2: "A UAS that receives a second INVITE before it sends the final response to a
    // first INVITE with a lower CSeq sequence number on the same dialog MUST return a 500
    // ... with a Retry-After header field with a randomly chosen value of between 0 and 10
    // seconds." The same while our 2xx still waits for its ACK.
    if (this.incomingInvite || this.awaiting) {
      const wait = Math.floor(uniform(this.host) * 11);
      incoming.respond(500, 'Server Internal Error', { headers: [{ name: 'Retry-After', value: String(wait) }] });
      return;
    }
    // "A UAS that receives an INVITE on a dialog while an INVITE it had sent on that dialog
    // is in progress MUST return a 491 (Request Pending) response to the received INVITE."
    if (this.outgoingInvite) {
      incoming.respond(491);
      return;
    }
    this.incomingInvite = incoming;
    const req = incoming.request;
    let answered = false;
    const accept = (body?: Body): void => {
      if (answered || this.incomingInvite !== incoming) return;
      answered = true;
      this.incomingInvite = undefined;
      // §12.2.2: a target refresh request replaces the remote target.
      this.dialog.refreshTarget(req);
      const res = incoming.respond(200, 'OK', {
        contact: [{ uri: this.dialog.localContact, params: new Map() }],
        headers: capabilityHeaders(this.host),
        contentType: body?.contentType,
        body: body?.bytes,
      });
      this.awaitAck(res, incoming.transaction as InviteServerTransaction);
    };
    const reject = (status: number, reason?: string): void => {
      if (answered || this.incomingInvite !== incoming) return;
      answered = true;
      this.incomingInvite = undefined;
      incoming.respond(status, reason);
    };
    if (!this.hasListeners('reinvite')) {
      reject(488);
      return;
    }
    this.emit('reinvite', { body: bodyOf(req), request: req, accept, reject });
  }

  private receiveInfo(incoming: IncomingRequest): void {
    const req = incoming.request;
    let done = false;
    const respond = (status: number): void => {
      if (done) return;
      done = true;
      incoming.respond(status);
    };
    // RFC 6086 legacy INFO (application/dtmf-relay): with nobody listening, just say 200.
    if (!this.hasListeners('info')) {
      respond(200);
      return;
    }
    this.emit('info', { contentType: req.contentType, body: req.body, request: req, respond });
  }

  // ─── requests we send ──────────────────────────────────────────────────────────────────

  /**
   * Send a re-INVITE (§14.1). With a body, resolves with the final status and the answer (the
   * ACK is sent at once). Without one (late offer), a 2xx resolves with the peer's offer and
   * the ACK waits for `ackWith(answer)`. 491 is retried after the §14.1 back-off. A timeout
   * resolves 408 and a transport failure 503 (§8.1.3.1); 481 and 408 end the session
   * (§12.2.1.2).
   */
  reinvite(body?: Body): Promise<{ status: number; body?: Body }> {
    if (this.current === 'terminated') return Promise.reject(new DialogError('ERR_SIP_DIALOG_STATE', 're-INVITE: the session has ended'));
    // §14.1: "a UAC MUST NOT initiate a new INVITE transaction within a dialog while another
    // INVITE transaction is in progress in either direction."
    if (this.reinviting || this.outgoingInvite || this.incomingInvite || this.awaiting || this.pendingLateAck) {
      return Promise.reject(new DialogError('ERR_SIP_DIALOG_STATE', 're-INVITE: another INVITE transaction is in progress on this dialog'));
    }
    this.reinviting = true;
    return new Promise((resolve) => this.sendReinvite(body, (r) => {
      this.reinviting = false;
      resolve(r);
    }, 0));
  }

  private sendReinvite(body: Body | undefined, resolve: (r: { status: number; body?: Body }) => void, glare: number): void {
    if (this.current === 'terminated') {
      resolve({ status: 481 });
      return;
    }
    if (this.incomingInvite || this.awaiting) {
      // The peer's re-INVITE won the race after our back-off: ours goes once that is done.
      this.after(this.host.timers.t1, () => this.sendReinvite(body, resolve, glare));
      return;
    }
    this.outgoingInvite = true;
    const seq = this.dialog.nextSeq(() => initialSeq(this.host));
    const req = this.dialog.createRequest('INVITE', seq, { body, headers: capabilityHeaders(this.host) });
    this.host.sendRequest(req, {
      onOutcome: (o) => {
        this.bumpSeq(req);
        const status = statusOf(o);
        if (o.kind === 'response' && status >= 200 && status < 300) {
          this.outgoingInvite = false;
          // §12.2.1.2: "When a UAC receives a 2xx response to a target refresh request, it
          // MUST replace the dialog's remote target URI with the URI from the Contact".
          this.dialog.refreshTarget(o.response);
          if (body) this.sendAck(req, o.response);
          else this.pendingLateAck = o.response;
          resolve({ status, body: bodyOf(o.response) });
          return;
        }
        this.outgoingInvite = false;
        if (status === 491 && glare < MAX_GLARE_RETRIES && this.current !== 'terminated') {
          // §14.1: "If the UAC is the owner of the Call-ID of the dialog ID ... T has a randomly
          // chosen value between 2.1 and 4 seconds in units of 10 ms. If the UAC is not the
          // owner of the Call-ID ... T has a randomly chosen value of between 0 and 2 seconds
          // in units of 10 ms."
          const delay = this.role === 'uac' ? 2100 + Math.floor(uniform(this.host) * 191) * 10 : Math.floor(uniform(this.host) * 201) * 10;
          this.log.info('re-INVITE glare: retrying', { callId: this.callId, delayMs: delay });
          this.after(delay, () => this.sendReinvite(body, resolve, glare + 1));
          return;
        }
        this.failedRequest(status, 're-INVITE');
        resolve({ status });
      },
      onAdditional2xx: (res) => this.receive2xxAgain(res),
    });
  }

  /** Send the ACK for the 2xx of our late-offer re-INVITE, with the answer (RFC 3264). */
  ackWith(answer?: Body): void {
    const res = this.pendingLateAck;
    if (!res) throw new DialogError('ERR_SIP_DIALOG_STATE', 'ackWith: no 2xx to a late-offer re-INVITE is waiting for its ACK');
    this.pendingLateAck = undefined;
    this.sendAckFor(res.cseq.seq, answer);
  }

  private sendAck(invite: SipRequest, _response: SipResponse): void {
    this.sendAckFor(invite.cseq.seq, undefined, invite);
  }

  /** §13.2.2.4: the ACK for a 2xx is built like a request in the dialog, with the CSeq number
   * of the INVITE, and "MUST contain the same credentials as the INVITE". */
  private sendAckFor(seq: number, body: Body | undefined, invite?: SipRequest): void {
    const ack = this.dialog.createRequest('ACK', seq, { body });
    if (invite) {
      ack.authorization = invite.authorization.slice();
      ack.proxyAuthorization = invite.proxyAuthorization.slice();
    }
    this.keepAck(ack);
    void this.host.sendAck(ack);
  }

  /** Send an INFO (RFC 6086); resolves with the final status (408 timeout, 503 transport). */
  info(contentType: string, body: Uint8Array): Promise<number> {
    if (this.current === 'terminated') return Promise.reject(new DialogError('ERR_SIP_DIALOG_STATE', 'INFO: the session has ended'));
    const req = this.dialog.createRequest('INFO', this.dialog.nextSeq(() => initialSeq(this.host)), { body: { contentType, bytes: body } });
    return new Promise((resolve) => {
      this.host.sendRequest(req, {
        onOutcome: (o) => {
          this.bumpSeq(req);
          const status = statusOf(o);
          this.failedRequest(status, 'INFO');
          resolve(status);
        },
      });
    });
  }

  /**
   * Ask the peer to call `referTo` (RFC 3515, a blind transfer). The returned client says
   * whether the REFER was accepted (`start()`) and reports the NOTIFYs (`done()`); the session
   * stays up: ending it once the transfer succeeded is the caller's choice.
   */
  refer(referTo: Uri): ReferClient {
    if (this.current === 'terminated') throw new DialogError('ERR_SIP_DIALOG_STATE', 'REFER: the session has ended');
    const client = new ReferClient(this.host, this.dialog, referTo);
    this.refers.add(client);
    void client.done().then(() => this.refers.delete(client));
    return client;
  }

  /**
   * End the session with a BYE (§15.1.1). Idempotent; 'terminated' (by local) is emitted at
   * once. The promise resolves when the BYE transaction ends, whatever its outcome. A UAS
   * whose 2xx has not been ACKed yet waits for the ACK (or its timeout) before sending the
   * BYE (§15: "MUST NOT send a BYE on a confirmed dialog until it has received an ACK").
   */
  bye(): Promise<void> {
    if (this.byeDone) return this.byeDone;
    if (this.current === 'terminated') {
      this.byeDone = Promise.resolve();
      return this.byeDone;
    }
    this.byeDone = new Promise((resolve) => {
      if (this.awaiting) {
        this.sendByeAfterAck = () => this.sendBye(resolve);
        this.end('local', 'BYE', 'normal', true);
      } else {
        this.sendBye(resolve);
        this.end('local', 'BYE', 'normal');
      }
    });
    return this.byeDone;
  }

  private sendBye(done?: () => void): void {
    const req = this.dialog.createRequest('BYE', this.dialog.nextSeq(() => initialSeq(this.host)));
    this.host.sendRequest(req, { onOutcome: () => done?.() });
  }

  /** §12.2.1.2: "If the response for a request within a dialog is a 481 (Call/Transaction Does
   * Not Exist) or a 408 (Request Timeout), the UAC SHOULD terminate the dialog." */
  private failedRequest(status: number, what: string): void {
    if (status !== 481 && status !== 408) return;
    if (this.current === 'terminated') return;
    this.end('remote', `${what} got ${status === 481 ? '481: the peer has no such dialog' : '408: no response'}`, status === 408 ? 'timeout' : 'normal');
    if (status === 408) this.sendBye();
  }

  private bumpSeq(req: SipRequest): void {
    // The UA answers digest challenges with CSeq+1 on the same request object.
    if (this.dialog.localSeq === undefined || req.cseq.seq > this.dialog.localSeq) this.dialog.localSeq = req.cseq.seq;
  }

  // ─── ending ────────────────────────────────────────────────────────────────────────────

  /** Terminate: timers off, out of the dialog table (unless an ACK must still reach us),
   * 'terminated' once. */
  end(by: 'local' | 'remote', reason: string, cause: EndCause, keepForAck = false): void {
    if (this.current === 'terminated') return;
    this.current = 'terminated';
    this.dialog.transition('terminated');
    if (this.incomingInvite) {
      this.incomingInvite.respond(487);
      this.incomingInvite = undefined;
    }
    if (keepForAck && this.awaiting) {
      // The ACK still has to find us; the BYE follows it (or the ACK timeout).
      const send = this.sendByeAfterAck;
      this.sendByeAfterAck = () => {
        this.host.dialogs.remove(this.dialog.id, this);
        send?.();
      };
    } else {
      for (const t of this.timers) this.host.scheduler.cancel(t);
      this.timers.clear();
      this.awaiting = undefined;
      this.host.dialogs.remove(this.dialog.id, this);
    }
    for (const r of this.refers) r.abandon('the call ended before the transfer finished');
    this.log.info('session terminated', { callId: this.callId, by, reason, cause });
    this.emit('terminated', { by, reason, cause });
  }

  private after(ms: number, fn: () => void): TimerHandle {
    const handle = this.host.scheduler.set(ms, () => {
      this.timers.delete(handle);
      fn();
    });
    this.timers.add(handle);
    return handle;
  }

  private cancelTimer(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.host.scheduler.cancel(handle);
    this.timers.delete(handle);
  }
}

/** The status an outcome stands for: the response's, 408 for a timeout (§8.1.3.1), 503 for a
 * transport failure (§8.1.3.1), the challenge's for a failed digest. */
export function statusOf(o: RequestOutcome): number {
  switch (o.kind) {
    case 'response':
    case 'auth-failed':
      return o.response.status;
    case 'timeout':
      return 408;
    case 'transport-error':
      return 503;
  }
}
