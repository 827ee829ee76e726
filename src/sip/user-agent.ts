/**
 * The user agent core: where bytes from a transport become transactions and usages, and
 * where usages' requests become bytes on the right transport (RFC 3261 §8, §17, §18).
 *
 *   transport ──bytes──► parse ──► (400/505 on bad input) ──► Via received/rport (§18.2.1)
 *                                   ├─ response ─► client transaction ─► usage handlers
 *                                   └─ request ──► server transaction ─► UAS checks (§8.2)
 *                                                                      └► usage by method
 *   usage ──request──► route (Route set, outbound proxy) ──► RFC 3263 targets ──► Via + branch
 *                      ──► client transaction ──► serialise ──► transport
 *                      on 401/407: digest answer, CSeq+1, again; on 503/timeout/refused: next target
 *
 * Dialogs (RFC 3261 §12): requests with a To tag go to the usage owning their dialog (the
 * dialog table; unknown dialog → 481), ACKs for 2xx go to their dialog, a CANCEL to the
 * INVITE server transaction it cancels (§9.2: 200, then the INVITE's 487 from its session).
 * INVITE sessions live in invite/: `invite()` places a call, `onInvite()` receives them.
 *
 * Isomorphic: the transport, the DNS resolver, the clock and randomness are injected.
 */
import type { Logger } from '../platform/logger.js';
import { silentLogger } from '../platform/logger.js';
import type { Scheduler } from '../platform/scheduler.js';
import { DigestClient } from './auth/digest-client.js';
import type { DigestCredentials } from './auth/digest-client.js';
import { DialogTable } from './dialog/dialog-table.js';
import { Emitter } from '../platform/emitter.js';
import type { DialogUsage, SessionHost } from './invite/host.js';
import type { InviteClientDelegate, InviteOptions, OutgoingInvite } from './invite/invite-client-session.js';
import { InviteClientSession } from './invite/invite-client-session.js';
import type { IncomingInvite } from './invite/invite-server-session.js';
import { InviteServerSession } from './invite/invite-server-session.js';
import type { Header, SipMessage, SipRequest, SipResponse, SipUri, Via } from './message.js';
import { createResponse, isSipUri } from './message.js';
import type { DnsResolver, Target } from './locator.js';
import { locate } from './locator.js';
import { parseMessage } from './parser.js';
import type { RequestHandlers, RequestSender } from './request-sender.js';
import { serializeMessage, serializeMessageToString, serializeUri } from './serializer.js';
import type { TraceEvent } from './trace.js';
import { redactCredentials } from './trace.js';
import type { ClientTransaction, InviteServerTransaction, TimerConfig } from './transaction/index.js';
import { InviteClientTransaction, TransactionLayer, createCancel, timerConfig } from './transaction/index.js';
import type { Endpoint, Flow, TransportLayer, TransportProtocol } from './transport.js';
import { isReliable } from './transport.js';
import type { UasCapabilities } from './uas-core.js';
import type { DispatchContext, IncomingRequest } from './request-dispatch.js';
import { dispatchRequest } from './request-dispatch.js';
import { sipUri } from './uri-util.js';

export interface UserAgentOptions {
  transport: TransportLayer;
  scheduler: Scheduler;
  /** RFC 3263 resolver; without one, only numeric hosts (and `localhost`) can be reached. */
  resolver?: DnsResolver;
  credentials?: DigestCredentials[];
  /** Every out-of-dialog request goes here first (added as a loose Route, RFC 3261 §8.1.2). */
  outboundProxy?: SipUri;
  /** Transport for requests whose URI does not say (default: the first the transport has). */
  preferredTransport?: TransportProtocol;
  /** User-Agent / Server header value. */
  product?: string;
  timers?: Partial<TimerConfig>;
  /** Hex random source for tags, branches, Call-IDs, cnonces. */
  random?: () => string;
  logger?: Logger;
}

export type { IncomingRequest } from './request-dispatch.js';

/** Handlers of `sendRequest`; `onAdditional2xx` hears, for an INVITE, every 2xx after the first
 * (retransmissions and other forks, RFC 6026 §8.4): the TU must ACK each. */
export interface InviteRequestHandlers extends RequestHandlers {
  onAdditional2xx?: (response: SipResponse) => void;
}

/** A request on its way: `cancel()` sends a CANCEL for an INVITE in progress (§9.1), to the
 * same target, with the INVITE's branch. */
export interface ClientRequest {
  readonly request: SipRequest;
  cancel(headers?: Header[]): void;
}

interface Attempt {
  tx?: ClientTransaction;
  dest?: Endpoint;
  serverName?: string;
  flowId?: string;
  reliable: boolean;
  delivered: boolean;
}

export interface UserAgentEvents {
  [key: string]: unknown;
  trace: TraceEvent;
  /** A message we could not parse; answered with 400/505 when it was an answerable request. */
  badMessage: { reason: string; answered: number | undefined; remote: string };
  /** A flow (connection) closed: registrations over it should refresh (RFC 5626 §4.4.1). */
  flowClosed: { flow: Flow; reason: string };
}

const BASE_CAPS: UasCapabilities = {
  // NOTIFY and message/sipfrag: the progress reports of a REFER we sent (RFC 3515 §2.4.4).
  allow: ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'NOTIFY'],
  supported: ['path', 'outbound'],
  accept: ['application/sdp', 'application/dtmf-relay', 'message/sipfrag'],
};

function randomHex(): string {
  const b = new Uint8Array(8);
  globalThis.crypto.getRandomValues(b);
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

export function describeEndpoint(e: Endpoint): string {
  return `${e.protocol} ${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}`;
}

export class UserAgent extends Emitter<UserAgentEvents> implements RequestSender, SessionHost {
  readonly scheduler: Scheduler;
  readonly random: () => string;
  readonly timers: TimerConfig;
  readonly logger: Logger;
  /** Dialogs by id: INVITE sessions, early dialogs of incoming INVITEs. */
  readonly dialogs = new DialogTable<DialogUsage>();
  private readonly cancelWatchers = new Map<InviteServerTransaction, () => void>();
  private readonly ackTargets = new WeakMap<SipRequest, Promise<{ dest: Endpoint; serverName?: string } | undefined>>();
  private readonly transport: TransportLayer;
  private readonly opts: UserAgentOptions;
  private readonly log: Logger;
  private readonly transactions: TransactionLayer;
  private readonly digest: DigestClient;
  private readonly handlers = new Map<string, (req: IncomingRequest) => void>();
  private readonly dispatch: DispatchContext;
  private closed = false;

  constructor(opts: UserAgentOptions) {
    super();
    this.opts = opts;
    this.transport = opts.transport;
    this.scheduler = opts.scheduler;
    this.random = opts.random ?? randomHex;
    this.logger = opts.logger ?? silentLogger;
    this.log = this.logger.child('sip.ua');
    this.timers = timerConfig(opts.timers);
    this.transactions = new TransactionLayer({ scheduler: this.scheduler, timers: opts.timers, random: this.random });
    this.digest = new DigestClient({ credentials: opts.credentials ?? [], cnonce: this.random });
    this.dispatch = {
      transactions: this.transactions,
      dialogs: this.dialogs,
      cancelWatchers: this.cancelWatchers,
      handlers: this.handlers,
      capabilities: () => this.capabilities,
      random: this.random,
      product: opts.product,
      log: this.log,
      sendResponse: (res, flow) => this.sendResponse(res, flow),
    };
    this.transport.onMessage = (bytes, flow) => this.receive(bytes, flow);
    this.transport.onFlowClosed = (flow, reason) => this.emit('flowClosed', { flow, reason });
  }

  /** Let a usage handle new requests of `method` (they then appear in Allow). */
  handle(method: string, handler: (req: IncomingRequest) => void): void {
    this.handlers.set(method, handler);
  }

  get capabilities(): UasCapabilities {
    return { ...BASE_CAPS, allow: [...new Set([...BASE_CAPS.allow, ...this.handlers.keys()])] };
  }

  // ─── INVITE sessions ───────────────────────────────────────────────────────────────────

  /** Place a call (RFC 3261 §13.2). The delegate hears progress, the session, or the failure. */
  invite(opts: InviteOptions, delegate: InviteClientDelegate): OutgoingInvite {
    const session = new InviteClientSession(this, opts, delegate);
    session.start();
    return session;
  }

  /** Receive calls: new out-of-dialog INVITEs that passed the §8.2 checks. Without a handler
   * they get 480. */
  onInvite(handler: (invite: IncomingInvite) => void): void {
    this.handle('INVITE', (incoming) => handler(new InviteServerSession(this, incoming)));
  }

  watchCancel(transaction: InviteServerTransaction, onCancel: () => void): () => void {
    this.cancelWatchers.set(transaction, onCancel);
    return () => {
      if (this.cancelWatchers.get(transaction) === onCancel) this.cancelWatchers.delete(transaction);
    };
  }

  /** A Contact URI for `user` on this UA's transport for `protocol`. */
  contactUri(user: string | undefined, protocol: TransportProtocol): SipUri {
    const local = this.localEndpoint(protocol);
    const params: Record<string, string | null> = {};
    if (protocol !== 'udp') params.transport = protocol;
    return sipUri({ scheme: 'sip', user, host: hostForUri(local.address), port: local.port, params });
  }

  /** The transport protocol a request to `uri` will use when nothing else decides. */
  defaultProtocol(): TransportProtocol {
    if (this.opts.preferredTransport) return this.opts.preferredTransport;
    for (const p of ['udp', 'tcp', 'tls'] as const) if (this.transport.localEndpoint(p)) return p;
    throw new Error('the transport layer listens on nothing');
  }

  private localEndpoint(protocol: TransportProtocol): Endpoint {
    const local = this.transport.localEndpoint(protocol);
    if (!local) throw new Error(`no ${protocol} transport is configured`);
    return local;
  }

  // ─── sending requests ──────────────────────────────────────────────────────────────────

  sendRequest(request: SipRequest, handlers: InviteRequestHandlers): ClientRequest {
    const state: Attempt = { reliable: false, delivered: false };
    const handle: ClientRequest = { request, cancel: (headers) => this.cancelAttempt(state, headers) };
    if (this.closed) {
      handlers.onOutcome({ kind: 'transport-error', reason: 'the user agent is closed' });
      return handle;
    }
    this.prepareOutgoing(request);
    // RFC 3261 §8.1.2: the next hop is the first Route (loose routing) or the Request-URI.
    this.locateNextHop(request)
      .then((targets) => {
        if (typeof targets === 'string') handlers.onOutcome({ kind: 'transport-error', reason: targets });
        else this.attempt(request, targets, 0, handlers, 0, state);
      })
      .catch((err: unknown) => handlers.onOutcome({ kind: 'transport-error', reason: String(err) }));
    return handle;
  }

  /** Outbound proxy as a loose Route (§8.1.2), Max-Forwards, User-Agent. */
  private prepareOutgoing(request: SipRequest): void {
    if (this.opts.outboundProxy && request.route.length === 0) {
      const proxy = { ...this.opts.outboundProxy, params: new Map(this.opts.outboundProxy.params) };
      proxy.params.set('lr', null);
      request.route = [{ uri: proxy, params: new Map() }];
    }
    if (request.maxForwards === undefined) request.maxForwards = 70;
    if (this.opts.product && request.method !== 'ACK' && !request.headers.some((h) => h.name.toLowerCase() === 'user-agent')) {
      request.headers.push({ name: 'User-Agent', value: this.opts.product });
    }
  }

  /** RFC 3263 targets for the next hop of `request`, or why there are none. */
  private async locateNextHop(request: SipRequest): Promise<Target[] | string> {
    const nextHop = request.route[0]?.uri ?? request.uri;
    if (!isSipUri(nextHop)) return `cannot route to a ${nextHop.scheme}: URI`;
    const targets = await locate(nextHop, this.resolverOrNumeric(), { transports: this.supportedProtocols(), defaultTransport: this.defaultProtocol() });
    return targets.length === 0 ? `cannot resolve ${serializeUri(nextHop)}` : targets;
  }

  /** §9.1: the CANCEL goes where the INVITE went, with its Via (branch), in a non-INVITE client
   * transaction of its own; only for an INVITE client transaction still without a final. */
  private cancelAttempt(state: Attempt, headers: Header[] = []): void {
    const tx = state.tx;
    if (!(tx instanceof InviteClientTransaction) || (tx.state !== 'proceeding' && tx.state !== 'calling') || !state.dest || this.closed) return;
    const cancel = createCancel(tx.request, headers);
    const dest = state.dest;
    this.transactions.createClient(cancel, {
      reliable: state.reliable,
      send: (msg, ctx) => {
        this.transport
          .send(this.encode(msg), dest, { serverName: state.serverName, flowId: state.flowId })
          .then((flow) => this.traceOut(msg, flow))
          .catch((err: unknown) => ctx.transportError(err instanceof Error ? err : new Error(String(err))));
      },
      user: {},
    });
  }

  /**
   * Send an ACK for a 2xx (§13.2.2.4): "passed to the client transport", not a transaction.
   * The first send picks the target (route set or Request-URI, RFC 3263) and a Via with a new
   * branch; sending the same object again re-sends the same bytes there (a 2xx retransmission).
   */
  sendAck(ack: SipRequest): Promise<void> {
    if (this.closed) return Promise.resolve();
    let target = this.ackTargets.get(ack);
    if (!target) {
      this.prepareOutgoing(ack);
      target = this.locateNextHop(ack).then((targets) => {
        if (typeof targets === 'string' || !targets[0]) {
          this.log.warn('cannot send the ACK', { callId: ack.callId, why: String(targets) });
          return undefined;
        }
        const t = targets[0];
        const local = this.transport.localEndpoint(t.protocol);
        if (!local) return undefined;
        ack.via = [{ transport: t.protocol.toUpperCase(), host: hostForUri(local.address), port: local.port, branch: this.transactions.newBranch(), rport: true, params: new Map() }];
        return { dest: { protocol: t.protocol, address: t.address, port: t.port }, serverName: t.serverName };
      });
      this.ackTargets.set(ack, target);
    }
    return target
      .then((t) => {
        if (!t || this.closed) return;
        return this.transport.send(this.encode(ack), t.dest, { serverName: t.serverName }).then((flow) => this.traceOut(ack, flow));
      })
      .catch((err: unknown) => this.log.warn('could not send the ACK', { callId: ack.callId, err: String(err) }));
  }

  private supportedProtocols(): TransportProtocol[] {
    return (['udp', 'tcp', 'tls'] as const).filter((p) => this.transport.localEndpoint(p));
  }

  private resolverOrNumeric(): DnsResolver {
    if (this.opts.resolver) return this.opts.resolver;
    const none = async () => [];
    return {
      naptr: none,
      srv: none,
      a: async (name: string) => (name === 'localhost' ? ['127.0.0.1'] : []),
      aaaa: none,
    };
  }

  /** One try at target `i`, answering digest challenges (§22.2), failing over (RFC 3263 §4.3). */
  private attempt(request: SipRequest, targets: Target[], i: number, handlers: InviteRequestHandlers, challenges: number, state: Attempt): void {
    const target = targets[i]!;
    const local = this.transport.localEndpoint(target.protocol);
    if (!local) {
      this.nextTarget(request, targets, i, handlers, `no ${target.protocol} transport`, state);
      return;
    }
    const via: Via = {
      transport: target.protocol.toUpperCase(),
      host: hostForUri(local.address),
      port: local.port,
      branch: this.transactions.newBranch(),
      rport: true,
      params: new Map(),
    };
    request.via = [via];
    const dest: Endpoint = { protocol: target.protocol, address: target.address, port: target.port };
    state.dest = dest;
    state.serverName = target.serverName;
    state.flowId = undefined;
    state.reliable = isReliable(target.protocol);
    state.tx = this.transactions.createClient(request, {
      reliable: state.reliable,
      send: (msg, tx) => {
        this.transport
          .send(this.encode(msg), dest, { serverName: target.serverName, flowId: state.flowId })
          .then((flow) => {
            state.flowId = flow.id;
            this.traceOut(msg, flow);
          })
          .catch((err: unknown) => tx.transportError(err instanceof Error ? err : new Error(String(err))));
      },
      user: {
        onProvisional: (res) => handlers.onProvisional?.(res),
        onFinal: (res) => {
          if (state.delivered) {
            // RFC 6026 §8.4: further 2xx (retransmissions, other forks) reach the TU.
            if (res.status >= 200 && res.status < 300) handlers.onAdditional2xx?.(res);
            return;
          }
          if ((res.status === 401 || res.status === 407) && request.method !== 'CANCEL' && request.method !== 'ACK') {
            // The digest client tells a rejected password from a stale nonce; this cap is only
            // a safety net (a proxy 407 followed by a registrar 401 needs two rounds).
            if (challenges >= 4) {
              handlers.onOutcome({ kind: 'auth-failed', response: res, reason: 'the server kept challenging: wrong password or user' });
              return;
            }
            const answer = this.digest.respond(res, {
              method: request.method,
              uri: serializeUri(request.uri),
              body: request.body,
              authorization: request.authorization,
              proxyAuthorization: request.proxyAuthorization,
            });
            if (!answer.ok) {
              handlers.onOutcome({ kind: 'auth-failed', response: res, reason: answer.reason });
              return;
            }
            request.authorization = answer.authorization;
            request.proxyAuthorization = answer.proxyAuthorization;
            request.cseq = { seq: request.cseq.seq + 1, method: request.cseq.method };
            this.attempt(request, targets, i, handlers, challenges + 1, state);
            return;
          }
          if (res.status === 503 && i + 1 < targets.length) {
            this.nextTarget(request, targets, i, handlers, '503', state);
            return;
          }
          state.delivered = true;
          handlers.onOutcome({ kind: 'response', response: res });
        },
        onTimeout: () => {
          if (i + 1 < targets.length) this.nextTarget(request, targets, i, handlers, 'timeout', state);
          else handlers.onOutcome({ kind: 'timeout' });
        },
        onTransportError: (err) => {
          if (state.delivered) return; // a late failure in accepted (RFC 6026): the 2xx was ours
          if (i + 1 < targets.length) this.nextTarget(request, targets, i, handlers, err.message, state);
          else handlers.onOutcome({ kind: 'transport-error', reason: err.message });
        },
      },
    });
  }

  private nextTarget(request: SipRequest, targets: Target[], i: number, handlers: InviteRequestHandlers, why: string, state: Attempt): void {
    this.log.info('trying next target', { failed: `${targets[i]?.protocol} ${targets[i]?.address}:${targets[i]?.port}`, why });
    if (i + 1 >= targets.length) handlers.onOutcome({ kind: 'transport-error', reason: why });
    else this.attempt(request, targets, i + 1, handlers, 0, state);
  }

  // ─── receiving ─────────────────────────────────────────────────────────────────────────

  private receive(bytes: Uint8Array, flow: Flow): void {
    const parsed = parseMessage(bytes);
    if (!parsed.ok) {
      this.traceIn(new TextDecoder().decode(bytes), flow);
      this.onBadMessage(parsed.error, flow);
      return;
    }
    const msg = parsed.value;
    this.traceIn(serializeMessageToString(msg), flow);
    if (msg.type === 'response') {
      // §18.1.2: responses are matched to client transactions; strays are dropped.
      if (!this.transactions.receiveResponse(msg)) this.log.debug('stray response dropped', { status: msg.status, callId: msg.callId });
      return;
    }
    this.stampVia(msg, flow);
    this.receiveRequest(msg, flow);
  }

  /** §18.2.1: "the server MUST add a "received" parameter" when sent-by differs from the
   * source address; RFC 3581 §4: fill in rport with the source port when it is present. */
  private stampVia(req: SipRequest, flow: Flow): void {
    const top = req.via[0];
    if (!top) return;
    if (unbracket(top.host) !== flow.remote.address || top.rport !== undefined) top.received = flow.remote.address;
    if (top.rport !== undefined) top.rport = flow.remote.port;
  }

  private onBadMessage(error: { code: string; message: string; partial?: Partial<SipRequest> }, flow: Flow): void {
    const p = error.partial;
    let answered: number | undefined;
    if (p && p.via && p.via.length > 0 && p.from && p.to && p.callId && p.cseq && p.method !== 'ACK') {
      // §8.2 / §21.4.1: answer what can be answered, with the reason, and carry on.
      const status = error.code === 'bad-version' ? 505 : 400;
      const reason = status === 505 ? 'Version Not Supported' : `Bad Request (${error.message})`.slice(0, 200);
      const req = { type: 'request', method: p.method ?? 'UNKNOWN', uri: sipUri({ host: 'invalid' }), via: p.via, from: p.from, to: p.to, callId: p.callId, cseq: p.cseq, contact: [], route: [], recordRoute: [], wwwAuthenticate: [], proxyAuthenticate: [], authorization: [], proxyAuthorization: [], headers: [], body: new Uint8Array(0) } as SipRequest;
      this.stampVia(req, flow);
      const res = createResponse(req, status, reason.replace(/[\r\n]/g, ' '), { toTag: this.random() });
      this.sendResponse(res, flow);
      answered = status;
    }
    this.emit('badMessage', { reason: `${error.code}: ${error.message}`, answered, remote: describeEndpoint(flow.remote) });
  }

  private receiveRequest(req: SipRequest, flow: Flow): void {
    dispatchRequest(this.dispatch, req, flow);
  }

  /** §18.2.2: reliable → the connection the request came on; UDP → received/rport. */
  private sendResponse(res: SipResponse, flow: Flow): void {
    const top = res.via[0];
    let dest: Endpoint = flow.remote;
    if (top && flow.remote.protocol === 'udp' && typeof top.rport !== 'number') {
      dest = { protocol: 'udp', address: top.received ?? unbracket(top.host), port: top.port ?? 5060 };
    }
    this.transport
      .send(this.encode(res), dest, { flowId: flow.id })
      .then((f) => this.traceOut(res, f))
      .catch((err: unknown) => this.log.warn('could not send response', { status: res.status, err: String(err) }));
  }

  private encode(msg: SipMessage): Uint8Array {
    return serializeMessage(msg);
  }

  private traceOut(msg: SipMessage, flow: Flow): void {
    if (!this.hasListeners('trace')) return;
    this.emit('trace', { direction: 'out', remote: describeEndpoint(flow.remote), local: describeEndpoint(flow.local), text: redactCredentials(serializeMessageToString(msg)), at: this.scheduler.now() });
  }

  private traceIn(text: string, flow: Flow): void {
    if (!this.hasListeners('trace')) return;
    this.emit('trace', { direction: 'in', remote: describeEndpoint(flow.remote), local: describeEndpoint(flow.local), text: redactCredentials(text), at: this.scheduler.now() });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.transactions.close();
    await this.transport.close();
  }
}

function unbracket(host: string): string {
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

function hostForUri(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
