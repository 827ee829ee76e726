/**
 * An incoming INVITE until it is answered (RFC 3261 §13.3): provisional responses (a 18x
 * creates the early dialog, §12.1.1), the 2xx that makes the session (retransmitted until the
 * ACK by the session, §13.3.1.4), a rejection, or the caller giving up: a CANCEL (§9.2: 200
 * to the CANCEL, 487 to the INVITE) or a BYE on the early dialog (§15.1.2).
 *
 *   proceeding ── progress(18x) ──► proceeding (early dialog)
 *       │ accept() ──► accepted (an InviteSession)
 *       │ reject() ──► rejected
 *       └ CANCEL / BYE on the early dialog ──► cancelled ('cancelled' event)
 */
import type { Body } from '../dialog/body.js';
import { bodyOf } from '../dialog/body.js';
import { Dialog } from '../dialog/dialog.js';
import { Emitter } from '../../platform/emitter.js';
import type { Header, SipRequest, SipUri } from '../message.js';
import { DialogError } from '../dialog/dialog.js';
import type { InviteServerTransaction } from '../transaction/index.js';
import type { IncomingRequest } from '../user-agent.js';
import type { DialogUsage, SessionHost } from './host.js';
import { capabilityHeaders } from './host.js';
import { InviteSession } from './session.js';

export interface IncomingInviteEvents {
  [key: string]: unknown;
  /** The caller gave up (CANCEL, or BYE on the early dialog); the INVITE got 487. */
  cancelled: void;
}

export interface IncomingInvite {
  readonly request: SipRequest;
  readonly body?: Body;
  readonly callId: string;
  progress(status: number, opts?: { body?: Body; contact?: SipUri }): void;
  accept(opts: { body: Body; contact: SipUri }): InviteSession;
  reject(status: number, reason?: string, headers?: Header[]): void;
  on(name: 'cancelled', fn: () => void): () => void;
}

export type InviteServerState = 'proceeding' | 'accepted' | 'rejected' | 'cancelled';

export class InviteServerSession extends Emitter<IncomingInviteEvents> implements IncomingInvite, DialogUsage {
  readonly request: SipRequest;
  readonly body: Body | undefined;
  readonly callId: string;
  private readonly host: SessionHost;
  private readonly incoming: IncomingRequest;
  private current: InviteServerState = 'proceeding';
  private early: Dialog | undefined;
  private readonly unwatch: () => void;

  constructor(host: SessionHost, incoming: IncomingRequest) {
    super();
    this.host = host;
    this.incoming = incoming;
    this.request = incoming.request;
    this.body = bodyOf(incoming.request);
    this.callId = incoming.request.callId;
    this.unwatch = host.watchCancel(this.transaction, () => this.cancelled());
  }

  get state(): InviteServerState {
    return this.current;
  }

  private get transaction(): InviteServerTransaction {
    return this.incoming.transaction as InviteServerTransaction;
  }

  /** Send a provisional response; a 18x (with a Contact) creates the early dialog. */
  progress(status: number, opts: { body?: Body; contact?: SipUri } = {}): void {
    if (status < 100 || status > 199) throw new DialogError('ERR_SIP_DIALOG_ARGUMENT', `progress: ${status} is not a provisional status`);
    if (this.current !== 'proceeding') return;
    if (status === 100) {
      this.incoming.respond(100);
      return;
    }
    const contact = opts.contact ?? this.early?.localContact ?? this.host.contactUri(undefined, this.incoming.flow.local.protocol);
    // §12.1.1: "the UAS MUST add a Contact header field to the response" that creates a dialog.
    this.incoming.respond(status, undefined, { contact: [{ uri: contact, params: new Map() }], contentType: opts.body?.contentType, body: opts.body?.bytes });
    if (!this.early && this.request.from.params.get('tag')) {
      this.early = Dialog.asUas(this.request, this.incoming.localTag, contact, 'early');
      this.host.dialogs.add(this.early.id, this);
    }
  }

  /**
   * Answer 200 with `body` (the answer, or our offer when the INVITE had none) and `contact`.
   * The session retransmits the 2xx until the ACK ('ack' event, carrying the answer to a late
   * offer); no ACK within 64*T1 ends it with a BYE.
   */
  accept(opts: { body: Body; contact: SipUri }): InviteSession {
    if (this.current !== 'proceeding') throw new DialogError('ERR_SIP_DIALOG_STATE', `accept: the INVITE is already ${this.current}`);
    this.current = 'accepted';
    this.dropEarly();
    this.unwatch();
    const res = this.incoming.respond(200, 'OK', {
      contact: [{ uri: opts.contact, params: new Map() }],
      headers: capabilityHeaders(this.host),
      contentType: opts.body.contentType,
      body: opts.body.bytes,
    });
    const dialog = Dialog.asUas(this.request, this.incoming.localTag, opts.contact, 'confirmed');
    const session = new InviteSession(this.host, dialog, 'uas');
    this.host.dialogs.add(dialog.id, session);
    session.awaitAck(res, this.transaction);
    return session;
  }

  reject(status: number, reason?: string, headers?: Header[]): void {
    if (status < 300 || status > 699) throw new DialogError('ERR_SIP_DIALOG_ARGUMENT', `reject: ${status} is not a failure status`);
    if (this.current !== 'proceeding') return;
    this.current = 'rejected';
    this.dropEarly();
    this.unwatch();
    this.incoming.respond(status, reason, { headers });
  }

  /** §9.2: "the UAS SHOULD immediately respond to the INVITE with a 487". The UA has already
   * answered the CANCEL itself with 200. */
  private cancelled(): void {
    if (this.current !== 'proceeding') return;
    this.current = 'cancelled';
    this.dropEarly();
    this.unwatch();
    this.incoming.respond(487);
    this.emit('cancelled', undefined);
  }

  private dropEarly(): void {
    if (this.early) this.host.dialogs.remove(this.early.id, this);
    this.early = undefined;
  }

  /** A request on the early dialog. §15: the caller "MAY send a BYE for either confirmed or
   * early dialogs"; it ends this INVITE like a CANCEL (§15.1.2: 487 to the pending INVITE). */
  receiveRequest(incoming: IncomingRequest): void {
    if (incoming.request.method === 'BYE') {
      incoming.respond(200);
      this.cancelled();
      return;
    }
    if (incoming.request.method === 'OPTIONS' || incoming.request.method === 'INFO') {
      incoming.respond(200);
      return;
    }
    incoming.respond(405, 'Method Not Allowed', { headers: [{ name: 'Allow', value: this.host.capabilities.allow.join(', ') }] });
  }

  receiveAck(): void {
    // No 2xx was sent on the early dialog; the ACK for a 3xx-6xx is the transaction's.
  }
}
