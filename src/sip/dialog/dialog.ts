/**
 * The dialog of RFC 3261 §12: the peer-to-peer relationship an INVITE (or later a SUBSCRIBE)
 * sets up between two UAs, and what every request inside it needs: the dialog id, the local
 * and remote sequence numbers, URIs and target, and the route set.
 *
 *            18x with To tag (UAC) /           2xx (UAC) /
 *            18x sent with our tag (UAS)       2xx sent (UAS)
 *   (none) ───────────────────────► early ───────────────────► confirmed
 *      │                               │                           │
 *      │ 2xx first                     │ 3xx-6xx, CANCEL, BYE      │ BYE (either way), 481/408
 *      └──────────► confirmed          ▼                           ▼
 *                                  terminated ◄────────────────────┘
 *
 * Pure data and rules: no I/O. The session that owns a dialog sends what it builds.
 */
import type { NameAddr, SipMessage, SipRequest, SipResponse, SipUri, Uri } from '../message.js';
import { createRequest, isSipUri, tagOf } from '../message.js';
import type { Body } from './body.js';

export type DialogState = 'early' | 'confirmed' | 'terminated';

const TRANSITIONS: Readonly<Record<DialogState, readonly DialogState[]>> = {
  early: ['confirmed', 'terminated'],
  confirmed: ['terminated'],
  terminated: [],
};

/** §12: "A dialog is identified at each UA with a dialog ID, which consists of a Call-ID
 * value, a local tag and a remote tag." */
export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

export function dialogKey(id: DialogId): string {
  return `${id.callId}\u0000${id.localTag}\u0000${id.remoteTag}`;
}

export class DialogError extends Error {
  readonly code: 'ERR_SIP_DIALOG_STATE' | 'ERR_SIP_DIALOG_ARGUMENT';
  constructor(code: 'ERR_SIP_DIALOG_STATE' | 'ERR_SIP_DIALOG_ARGUMENT', message: string) {
    super(message);
    this.name = 'DialogError';
    this.code = code;
  }
}

export interface DialogInit {
  id: DialogId;
  state: 'early' | 'confirmed';
  localSeq: number | undefined;
  remoteSeq: number | undefined;
  localUri: NameAddr;
  remoteUri: NameAddr;
  remoteTarget: Uri;
  routeSet: NameAddr[];
  secure: boolean;
  localContact: SipUri;
}

/** Methods whose requests (and 2xx) replace the remote target (§12.2; RFC 3311, 6665). */
const TARGET_REFRESH = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY', 'REFER']);

export function isTargetRefresh(method: string): boolean {
  return TARGET_REFRESH.has(method);
}

export class Dialog {
  readonly id: DialogId;
  /** Our From (UAC) or To (UAS), with our tag. */
  readonly localUri: NameAddr;
  /** The peer's, with its tag. */
  readonly remoteUri: NameAddr;
  /** §12.1.1/§12.1.2: the request was sent to (or arrived on) a SIPS URI. */
  readonly secure: boolean;
  /** The Contact we put in target refresh requests and their 2xx. */
  localContact: SipUri;
  remoteTarget: Uri;
  routeSet: NameAddr[];
  /** Empty (undefined) until we send a request in the dialog (UAS side). */
  localSeq: number | undefined;
  /** Empty (undefined) until the peer sends one (UAC side). */
  remoteSeq: number | undefined;
  private current: DialogState;

  constructor(init: DialogInit) {
    this.id = init.id;
    this.current = init.state;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.secure = init.secure;
    this.localContact = init.localContact;
  }

  /**
   * The UAC's dialog from a response with a To tag to `invite` (§12.1.2): "The route set MUST
   * be set to the list of URIs in the Record-Route header field from the response, taken in
   * reverse order ... The remote target MUST be set to the URI from the Contact header field
   * of the response. The local sequence number MUST be set to the value of the sequence number
   * in the CSeq header field of the request. The remote sequence number MUST be empty."
   * A 1xx makes an early dialog, a 2xx a confirmed one.
   */
  static asUac(invite: SipRequest, response: SipResponse, localContact: SipUri): Dialog {
    const remoteTag = tagOf(response.to);
    const localTag = tagOf(invite.from);
    if (remoteTag === undefined || localTag === undefined) {
      throw new DialogError('ERR_SIP_DIALOG_ARGUMENT', 'a dialog needs a From tag in the request and a To tag in the response');
    }
    return new Dialog({
      id: { callId: invite.callId, localTag, remoteTag },
      state: response.status < 200 ? 'early' : 'confirmed',
      localSeq: invite.cseq.seq,
      remoteSeq: undefined,
      localUri: cloneAddr(invite.from),
      remoteUri: cloneAddr(response.to),
      remoteTarget: contactUri(response) ?? invite.uri,
      routeSet: response.recordRoute.map(cloneAddr).reverse(),
      secure: invite.uri.scheme === 'sips',
      localContact,
    });
  }

  /**
   * The UAS's dialog for a dialog-creating request (§12.1.1): "The route set MUST be set to the
   * list of URIs in the Record-Route header field from the request, taken in order ... The
   * remote target MUST be set to the URI from the Contact header field of the request ... The
   * remote sequence number MUST be set to the value of the sequence number in the CSeq header
   * field of the request. The local sequence number MUST be empty."
   */
  static asUas(request: SipRequest, localTag: string, localContact: SipUri, state: 'early' | 'confirmed'): Dialog {
    const remoteTag = tagOf(request.from);
    if (remoteTag === undefined) throw new DialogError('ERR_SIP_DIALOG_ARGUMENT', 'the request has no From tag');
    const localUri = cloneAddr(request.to);
    localUri.params.set('tag', localTag);
    return new Dialog({
      id: { callId: request.callId, localTag, remoteTag },
      state,
      localSeq: undefined,
      remoteSeq: request.cseq.seq,
      localUri,
      remoteUri: cloneAddr(request.from),
      remoteTarget: contactUri(request) ?? request.uri,
      routeSet: request.recordRoute.map(cloneAddr),
      secure: request.uri.scheme === 'sips',
      localContact,
    });
  }

  get state(): DialogState {
    return this.current;
  }

  get key(): string {
    return dialogKey(this.id);
  }

  /** early → confirmed (a 2xx), anything → terminated. Throws for moves §12 does not have. */
  transition(to: DialogState): void {
    if (to === this.current) return;
    if (!TRANSITIONS[this.current].includes(to)) {
      throw new DialogError('ERR_SIP_DIALOG_STATE', `dialog: no transition ${this.current} → ${to}`);
    }
    this.current = to;
  }

  /** The next local CSeq number (§12.2.1.1: "MUST be incremented by one"; an empty one is
   * started "using the guidelines of Section 8.1.1.5"). */
  nextSeq(initial: () => number): number {
    this.localSeq = this.localSeq === undefined ? initial() : this.localSeq + 1;
    return this.localSeq;
  }

  /**
   * A request within the dialog (§12.2.1.1): To is the remote URI and tag, From the local URI
   * and tag, the Call-ID of the dialog, and the Request-URI / Route from the remote target and
   * the route set (loose or strict routing). `seq` is the CSeq number (from nextSeq, or the
   * INVITE's for an ACK). Target refresh requests carry our Contact.
   */
  createRequest(method: string, seq: number, opts: { body?: Body; headers?: { name: string; value: string }[] } = {}): SipRequest {
    // ACK and BYE still go out on a dialog being torn down (the ACK of a 2xx that raced a
    // CANCEL, the BYE that follows it).
    if (this.current === 'terminated' && method !== 'ACK' && method !== 'BYE') {
      throw new DialogError('ERR_SIP_DIALOG_STATE', `dialog terminated: cannot send ${method}`);
    }
    const { uri, route } = this.requestTarget();
    return createRequest({
      method,
      uri,
      from: cloneAddr(this.localUri),
      to: cloneAddr(this.remoteUri),
      callId: this.id.callId,
      cseq: { seq, method },
      route,
      contact: isTargetRefresh(method) ? [{ uri: this.localContact, params: new Map() }] : [],
      contentType: opts.body?.contentType,
      body: opts.body?.bytes,
      headers: opts.headers?.map((h) => ({ ...h })),
    });
  }

  /**
   * §12.2.1.1: "If the route set is empty, the UAC MUST place the remote target URI into the
   * Request-URI. ... If the route set is not empty, and the first URI in the route set contains
   * the lr parameter, the UAC MUST place the remote target URI into the Request-URI and MUST
   * include a Route header field containing the route set values in order". Otherwise (strict
   * routing) "the UAC MUST place the first URI from the route set into the Request-URI,
   * stripping any parameters that are not allowed in a Request-URI" and the remote target goes
   * last in Route.
   */
  private requestTarget(): { uri: Uri; route: NameAddr[] } {
    const first = this.routeSet[0];
    if (!first) return { uri: cloneUri(this.remoteTarget), route: [] };
    if (isSipUri(first.uri) && first.uri.params.has('lr')) {
      return { uri: cloneUri(this.remoteTarget), route: this.routeSet.map(cloneAddr) };
    }
    const uri = cloneUri(first.uri);
    if (isSipUri(uri)) {
      // §19.1.1 table: method and headers are not allowed in a Request-URI.
      uri.params.delete('method');
      uri.headers.clear();
    }
    return { uri, route: [...this.routeSet.slice(1).map(cloneAddr), { uri: cloneUri(this.remoteTarget), params: new Map() }] };
  }

  /**
   * §12.2.2, for a request the peer sent in this dialog (not ACK or CANCEL): "If the remote
   * sequence number is empty, it MUST be set to the value of the sequence number in the CSeq
   * header field value in the request. If the remote sequence number was not empty, but the
   * sequence number of the request is lower than the remote sequence number, the request is out
   * of order and MUST be rejected with a 500 (Server Internal Error) response."
   */
  receiveRequest(request: SipRequest): { ok: true } | { ok: false; status: 500; reason: string } {
    const seq = request.cseq.seq;
    if (this.remoteSeq !== undefined && seq < this.remoteSeq) {
      return { ok: false, status: 500, reason: 'Server Internal Error (CSeq out of order)' };
    }
    this.remoteSeq = seq;
    return { ok: true };
  }

  /** Target refresh (§12.2.1.2 for 2xx responses, §12.2.2 for requests): the Contact of
   * `message`, when it has one, becomes the remote target. */
  refreshTarget(message: SipMessage): void {
    const uri = contactUri(message);
    if (uri) this.remoteTarget = uri;
  }
}

function contactUri(message: SipMessage): Uri | undefined {
  const c = message.contact[0];
  return c === undefined || c === '*' ? undefined : cloneUri(c.uri);
}

function cloneUri(uri: Uri): Uri {
  if (isSipUri(uri)) return { ...uri, params: new Map(uri.params), headers: new Map(uri.headers) };
  if ('params' in uri) return { ...uri, params: new Map((uri as { params: Map<string, string | null> }).params) } as Uri;
  return { ...uri };
}

export function cloneAddr(addr: NameAddr): NameAddr {
  return { ...addr, uri: cloneUri(addr.uri), params: new Map(addr.params) };
}
