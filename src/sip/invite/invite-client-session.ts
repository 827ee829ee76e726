/**
 * An outgoing INVITE, from the first request to the established session or the final failure
 * (RFC 3261 §13.2): provisional responses and early dialogs (one per To tag: forking), the
 * first 2xx wins and its ACK is ours to send (§13.2.2.4), any other fork's 2xx is ACKed and
 * BYEd, 3xx redirects followed (§8.1.3.4), CANCEL (§9.1), and a failure named for people.
 *
 *              1xx: onTrying / onProgress (an early dialog per To tag)
 *   calling ──────────────► proceeding ──── 2xx: ACK, onAccepted ────► accepted
 *      │                        │      └─── 3xx: next Contact (q order), back to calling
 *      │ 3xx-6xx, timeout,      │ 3xx-6xx, timeout, transport error
 *      │ transport error        v
 *      └──────────────────► terminated (onFailed, once)
 *
 * cancel() before any provisional is remembered and the CANCEL goes once one arrives (§9.1:
 * "the CANCEL request MUST NOT be sent" before). A 2xx that races the CANCEL is ACKed and
 * BYEd, and the call fails as cancelled. Digest challenges (401/407) are answered by the UA
 * with a new INVITE (CSeq+1); the ACK of the 401 belongs to the INVITE client transaction.
 */
import type { Logger } from '../../platform/logger.js';
import type { TimerHandle } from '../../platform/scheduler.js';
import type { Body } from '../dialog/body.js';
import { bodyOf } from '../dialog/body.js';
import { Dialog } from '../dialog/dialog.js';
import type { Header, NameAddr, SipRequest, SipResponse, SipUri, Uri } from '../message.js';
import { createRequest, tagOf } from '../message.js';
import type { RequestOutcome } from '../request-sender.js';
import { serializeUri } from '../serializer.js';
import type { ClientRequest } from '../user-agent.js';
import type { SessionHost } from './host.js';
import { capabilityHeaders } from './host.js';
import type { EndCause } from './reasons.js';
import { causeOfStatus, describeEnd } from './reasons.js';
import { InviteSession } from './session.js';

export interface InviteOptions {
  /** Request-URI (and To, unless `to` is given). */
  uri: Uri;
  /** Our identity; the tag is added here. */
  from: NameAddr;
  to?: NameAddr;
  contact: SipUri;
  /** The offer; without one the 2xx carries the offer and onAccepted returns the answer. */
  body?: Body;
  headers?: Header[];
}

export interface ProgressEvent {
  status: number;
  reason: string;
  /** The To tag of the early dialog ('' when the response had none): forks differ by it. */
  earlyId: string;
  /** SDP of a 180/183 (early media). */
  body?: Body;
  response: SipResponse;
}

export interface AcceptedEvent {
  session: InviteSession;
  response: SipResponse;
  body?: Body;
}

export interface FailedEvent {
  /** The final status; 0 for a timeout or a transport failure. */
  status: number;
  reason: string;
  cause: EndCause;
  /** For people: "busy (486 Busy Here)". */
  message: string;
}

export interface InviteClientDelegate {
  onTrying?(): void;
  onProgress?(e: ProgressEvent): void;
  /** The first 2xx. Return the answer for the ACK when the INVITE had no offer. */
  onAccepted(e: AcceptedEvent): Body | undefined;
  onFailed(e: FailedEvent): void;
}

export interface OutgoingInvite {
  readonly callId: string;
  cancel(reason?: string): void;
}

export type InviteClientState = 'calling' | 'proceeding' | 'accepted' | 'terminated';

/** Redirects followed before giving up as a loop (§8.1.3.4 puts each URI in the target set once). */
const MAX_REDIRECTS = 8;

export class InviteClientSession implements OutgoingInvite {
  readonly callId: string;
  private readonly host: SessionHost;
  private readonly opts: InviteOptions;
  private readonly delegate: InviteClientDelegate;
  private readonly log: Logger;
  private readonly from: NameAddr;
  private state: InviteClientState = 'calling';
  private invite: SipRequest | undefined;
  private client: ClientRequest | undefined;
  private readonly early = new Map<string, Dialog>();
  private session: InviteSession | undefined;
  /** 2xx from other forks (and 2xx after we gave up): ACKed and BYEd, by To tag. */
  private readonly strays = new Map<string, SipRequest>();
  private cancelRequested: { reason?: string } | undefined;
  private cancelSent = false;
  private cancelTimer: TimerHandle | undefined;
  /** §8.1.3.4 target set: every URI tried or queued, once. */
  private readonly targetSet = new Set<string>();
  private readonly queue: Uri[] = [];
  private redirects = 0;

  constructor(host: SessionHost, opts: InviteOptions, delegate: InviteClientDelegate) {
    this.host = host;
    this.opts = opts;
    this.delegate = delegate;
    this.log = host.logger.child('sip.invite');
    this.callId = `${host.random()}${host.random()}`;
    this.from = { ...opts.from, params: new Map(opts.from.params) };
    this.from.params.set('tag', host.random());
  }

  start(): void {
    this.targetSet.add(serializeUri(this.opts.uri));
    this.send(this.opts.uri, 1);
  }

  private send(uri: Uri, seq: number): void {
    this.state = 'calling';
    const to: NameAddr = this.opts.to ? { ...this.opts.to, params: new Map(this.opts.to.params) } : { uri: this.opts.uri, params: new Map() };
    to.params.delete('tag');
    const invite = createRequest({
      method: 'INVITE',
      uri,
      from: this.from,
      to,
      callId: this.callId,
      cseq: { seq, method: 'INVITE' },
      contact: [{ uri: this.opts.contact, params: new Map() }],
      contentType: this.opts.body?.contentType,
      body: this.opts.body?.bytes,
      headers: [...(this.opts.headers ?? []).map((h) => ({ ...h })), ...capabilityHeaders(this.host)],
    });
    this.invite = invite;
    this.early.clear();
    this.client = this.host.sendRequest(invite, {
      onProvisional: (res) => this.receiveProvisional(invite, res),
      onOutcome: (o) => this.receiveOutcome(invite, o),
      onAdditional2xx: (res) => this.receiveAnother2xx(invite, res),
    });
  }

  cancel(reason?: string): void {
    if (this.state === 'accepted' || this.state === 'terminated' || this.cancelRequested) return;
    this.cancelRequested = { reason };
    if (this.state === 'proceeding') this.sendCancel();
  }

  private sendCancel(): void {
    if (this.cancelSent || !this.client) return;
    this.cancelSent = true;
    const reason = this.cancelRequested?.reason;
    // RFC 3326 Reason header, when the caller gave one.
    const headers: Header[] = reason ? [{ name: 'Reason', value: `SIP;cause=487;text="${reason.replace(/["\\\r\n]/g, '')}"` }] : [];
    this.client.cancel(headers);
    // §9.1: "If no final response is received for the original request in 64*T1 seconds
    // ... the client SHOULD then consider the original transaction cancelled".
    this.cancelTimer = this.host.scheduler.set(64 * this.host.timers.t1, () => {
      this.cancelTimer = undefined;
      this.fail(487, 'no final response after CANCEL', 'cancelled');
    });
  }

  private receiveProvisional(invite: SipRequest, res: SipResponse): void {
    if (invite !== this.invite || this.state === 'terminated' || this.state === 'accepted') return;
    this.state = 'proceeding';
    if (res.status === 100) {
      this.delegate.onTrying?.();
    } else {
      const tag = tagOf(res.to);
      // §12.1.2 / §13.2.2.1: a 1xx with a To tag creates an early dialog; a new tag is a new
      // fork. The early dialog keeps the remote target and route set of its first 1xx.
      if (tag !== undefined && !this.early.has(tag) && res.contact.length > 0) {
        this.early.set(tag, Dialog.asUac(invite, res, this.opts.contact));
      }
      this.delegate.onProgress?.({ status: res.status, reason: res.reason, earlyId: tag ?? '', body: bodyOf(res), response: res });
    }
    if (this.cancelRequested && !this.cancelSent) this.sendCancel();
  }

  private receiveOutcome(invite: SipRequest, o: RequestOutcome): void {
    if (invite !== this.invite) return;
    // A final response: nothing left to CANCEL. The transaction lives on for Timer M in the
    // transaction layer (RFC 6026); the session need not hold it for the length of the call.
    this.client = undefined;
    if (o.kind === 'response' && o.response.status >= 200 && o.response.status < 300) {
      this.accept(invite, o.response);
      return;
    }
    if (this.state === 'terminated') return;
    const status = o.kind === 'response' || o.kind === 'auth-failed' ? o.response.status : 0;
    if (o.kind === 'response' && status >= 300 && status < 400 && status !== 380 && !this.cancelRequested) {
      this.redirect(invite, o.response);
      return;
    }
    // §8.1.3.4: "If contacting an address in the list results in a failure ... the element
    // moves to the next address in the list, until the list is exhausted." A 6xx is final
    // everywhere (§21.6), and a cancelled call goes nowhere else.
    if (this.queue.length > 0 && !this.cancelRequested && !(status >= 600)) {
      this.next(invite);
      return;
    }
    switch (o.kind) {
      case 'response':
        this.fail(status, o.response.reason, this.cancelRequested && status === 487 ? 'cancelled' : causeOfStatus(status));
        return;
      case 'auth-failed':
        this.fail(status, `${o.response.reason}: ${o.reason}`, 'auth-failed');
        return;
      case 'timeout':
        this.fail(0, 'no response to the INVITE', this.cancelRequested ? 'cancelled' : 'timeout');
        return;
      case 'transport-error':
        this.fail(0, o.reason, this.cancelRequested ? 'cancelled' : 'network');
        return;
    }
  }

  private redirect(invite: SipRequest, res: SipResponse): void {
    // §8.1.3.4: the Contact URIs are added to the target set, each once ("Placing any given URI
    // in the target set only once prevents infinite redirection loops"), and tried in
    // decreasing q order.
    const contacts = res.contact
      .filter((c): c is NameAddr => c !== '*')
      .map((c, i) => ({ uri: c.uri, q: parseQ(c.params.get('q')), i }))
      .sort((a, b) => b.q - a.q || a.i - b.i);
    let added = 0;
    for (const c of contacts) {
      const key = serializeUri(c.uri);
      if (this.targetSet.has(key)) continue;
      this.targetSet.add(key);
      this.queue.push(c.uri);
      added++;
    }
    this.redirects++;
    if (this.queue.length === 0 || this.redirects > MAX_REDIRECTS) {
      const loop = (contacts.length > 0 && added === 0) || this.redirects > MAX_REDIRECTS;
      this.fail(res.status, res.reason, loop ? 'redirect-loop' : 'rejected');
      return;
    }
    this.log.info('following redirect', { callId: this.callId, status: res.status, to: serializeUri(this.queue[0]!) });
    this.next(invite);
  }

  private next(previous: SipRequest): void {
    const uri = this.queue.shift()!;
    this.send(uri, previous.cseq.seq + 1);
  }

  /** The first 2xx: confirm the dialog, ACK, hand the session over (§13.2.2.4). */
  private accept(invite: SipRequest, res: SipResponse): void {
    if (this.state === 'accepted' || this.state === 'terminated') {
      this.ackAndBye(invite, res);
      return;
    }
    if (tagOf(res.to) === undefined) {
      // A 2xx without a To tag cannot make a dialog; nothing to ACK it into.
      this.fail(res.status, `${res.reason} (without a To tag)`, 'rejected');
      return;
    }
    this.state = 'accepted';
    this.host.scheduler.cancel(this.cancelTimer);
    this.early.clear();
    // §13.2.2.4: the dialog is confirmed and "the route set for the dialog MUST be recomputed
    // based on the 2xx response".
    const dialog = Dialog.asUac(invite, res, this.opts.contact);
    const session = new InviteSession(this.host, dialog, 'uac');
    this.session = session;
    this.host.dialogs.add(dialog.id, session);
    if (this.cancelRequested) {
      // The 2xx raced our CANCEL: the call exists now, so ACK it and hang up at once.
      // The BYE leaves after the ACK (a BYE overtaking it would meet a UAS still waiting).
      void this.sendAck(session, invite, undefined).then(() => session.bye());
      this.report(res.status, `${res.reason}: answered while being cancelled, hung up`, 'cancelled');
      return;
    }
    const late = invite.body.length === 0;
    if (!late) this.sendAck(session, invite, undefined);
    let answer: Body | undefined;
    try {
      answer = this.delegate.onAccepted({ session, response: res, body: bodyOf(res) });
    } catch (err) {
      this.log.warn('onAccepted threw', { callId: this.callId, err: String(err) });
    }
    if (late) this.sendAck(session, invite, answer);
  }

  private sendAck(session: InviteSession, invite: SipRequest, body: Body | undefined): Promise<void> {
    const ack = session.dialog.createRequest('ACK', invite.cseq.seq, { body });
    // §13.2.2.4: "The ACK MUST contain the same credentials as the INVITE."
    ack.authorization = invite.authorization.slice();
    ack.proxyAuthorization = invite.proxyAuthorization.slice();
    session.ackSent(ack);
    return this.host.sendAck(ack);
  }

  /** A 2xx after the first (RFC 6026: the INVITE client transaction passes each one up). */
  private receiveAnother2xx(invite: SipRequest, res: SipResponse): void {
    const tag = tagOf(res.to);
    if (this.session && tag === this.session.dialog.id.remoteTag) {
      this.session.receive2xxAgain(res);
      return;
    }
    this.ackAndBye(invite, res);
  }

  /** §13.2.2.4: "If more than one 2xx is received ... the UAC core ... MUST generate an ACK for
   * each 2xx ... [and] if it does not want to continue with that dialog ... MUST terminate the
   * dialog by sending a BYE request". Retransmissions of such a 2xx get the same ACK again. */
  private ackAndBye(invite: SipRequest, res: SipResponse): void {
    const tag = tagOf(res.to);
    if (tag === undefined) return;
    const known = this.strays.get(tag);
    if (known) {
      void this.host.sendAck(known);
      return;
    }
    const dialog = Dialog.asUac(invite, res, this.opts.contact);
    const ack = dialog.createRequest('ACK', invite.cseq.seq);
    ack.authorization = invite.authorization.slice();
    ack.proxyAuthorization = invite.proxyAuthorization.slice();
    this.strays.set(tag, ack);
    this.log.info('2xx from another fork: ACK and BYE', { callId: this.callId, toTag: tag });
    const bye = dialog.createRequest('BYE', (dialog.localSeq ?? invite.cseq.seq) + 1);
    void this.host.sendAck(ack).then(() => this.host.sendRequest(bye, { onOutcome: () => {} }));
  }

  private fail(status: number, reason: string, cause: EndCause): void {
    if (this.state === 'terminated' || this.state === 'accepted') return;
    this.report(status, reason, cause);
  }

  private report(status: number, reason: string, cause: EndCause): void {
    const wasAccepted = this.state === 'accepted';
    this.state = 'terminated';
    this.host.scheduler.cancel(this.cancelTimer);
    this.early.clear();
    if (!wasAccepted || cause === 'cancelled') {
      this.delegate.onFailed({ status, reason, cause, message: describeEnd(cause, status, reason) });
    }
  }
}

function parseQ(q: string | null | undefined): number {
  if (q === undefined || q === null) return 1;
  const n = Number(q);
  return Number.isFinite(n) ? n : 0;
}
