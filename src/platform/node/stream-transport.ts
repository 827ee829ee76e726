/**
 * SIP over TCP or TLS for Node (RFC 3261 §18): a listener for incoming connections and
 * outgoing connections opened on demand, one per remote endpoint, reused for every later
 * message to that endpoint and, by flow id, for responses on the connection a request came
 * in on (RFC 3261 §18.2.2; RFC 5923 asks the same of TLS).
 *
 * TLS verifies the server's certificate chain and name by default (RFC 5922 §7.2). The name
 * is SendOptions.serverName (the domain of the SIP URI, per RFC 5922 §4), else the address;
 * it is sent as SNI when it is a host name. A TLS connection is reused only for the name it
 * was verified against.
 */
import { createServer as createTcpServer, connect as tcpConnect, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Endpoint, Flow, SendOptions } from '../../sip/transport.js';
import { TransportError } from '../../sip/transport.js';
import type { Scheduler } from '../scheduler.js';
import type { Logger } from '../logger.js';
import { StreamConnection, type ConnectionConfig, type KeepAliveEvent } from './stream-connection.js';
import { isNumericHost } from '../../sip/locator.js';
import { tls } from './lazy-modules.js';
import { endpointText, isIpv6Literal, normalizeAddress, transportErrorFrom } from './socket-util.js';


export type PemInput = string | Buffer | Array<string | Buffer>;

export interface StreamTlsOptions {
  /** Extra CAs to trust, PEM. Added to the system store unless `useSystemCa` is false. */
  ca?: PemInput;
  /** Our certificate chain and key, PEM: needed to listen, and sent as a client certificate. */
  cert?: PemInput;
  key?: PemInput;
  /** Verify the peer's certificate and name. Default true. */
  rejectUnauthorized?: boolean;
  /** Trust Node's bundled root CAs as well as `ca`. Default true. */
  useSystemCa?: boolean;
}

export interface StreamTransportOptions {
  protocol: 'tcp' | 'tls';
  address: string;
  port: number;
  /** Listen for incoming connections (default true). Without, only connect out. */
  listen?: boolean;
  tls?: StreamTlsOptions;
  advertisedAddress?: string;
  keepAliveIntervalMs: number;
  pongTimeoutMs: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  maxHeaderBytes?: number;
  maxBodyBytes?: number;
  scheduler: Scheduler;
  random: () => number;
  logger: Logger;
}

export class StreamTransport {
  onMessage: ((bytes: Uint8Array, flow: Flow) => void) | undefined;
  onFlowClosed: ((flow: Flow, reason: string) => void) | undefined;
  onKeepAlive: ((flow: Flow, event: KeepAliveEvent) => void) | undefined;

  private server: Server | undefined;
  private listening: Endpoint | undefined;
  private readonly byId = new Map<string, StreamConnection>();
  private readonly byRemote = new Map<string, Set<StreamConnection>>();
  private readonly keyOf = new Map<StreamConnection, string>();
  /** Every accepted socket, including TLS ones still in their handshake (not flows yet). */
  private readonly acceptedSockets = new Set<Socket>();
  private closing: Promise<void> | undefined;
  private readonly protocol: 'tcp' | 'tls';

  constructor(private readonly opts: StreamTransportOptions) {
    this.protocol = opts.protocol;
  }

  async start(): Promise<void> {
    const { address, port } = this.opts;
    if (this.opts.listen === false) return;
    const server = this.protocol === 'tls' ? this.createTlsServer() : createTcpServer((s) => this.accept(s));
    this.server = server;
    server.on('connection', (s: Socket) => {
      this.acceptedSockets.add(s);
      s.once('close', () => this.acceptedSockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(transportErrorFrom(err, 'tcp', `cannot listen on ${this.protocol.toUpperCase()} ${address}:${port}`));
      server.once('error', onError);
      server.listen({ host: address, port, exclusive: true }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.opts.logger.warn(`${this.protocol} server error`, { error: err.message }));
    const a = server.address();
    if (a && typeof a === 'object') this.listening = { protocol: this.protocol, address: normalizeAddress(a.address), port: a.port };
    this.opts.logger.info(`${this.protocol} listening`, { local: this.listening ? endpointText(this.listening) : '?' });
  }

  /**
   * Where we listen. A connect-only transport has no listener: it reports the configured
   * address and port (or the protocol's default port), a nominal sent-by for Via, since
   * responses come back on the connection the request went out on (RFC 3261 §18.2.2).
   */
  localEndpoint(): Endpoint | undefined {
    const address = this.opts.advertisedAddress;
    if (this.listening) return { ...this.listening, address: address ?? this.listening.address };
    if (this.opts.listen === false) {
      return { protocol: this.protocol, address: address ?? this.opts.address, port: this.opts.port || (this.protocol === 'tls' ? 5061 : 5060) };
    }
    return undefined;
  }

  /** Open flows, for diagnostics and tests. */
  flows(): Flow[] {
    return [...this.byId.values()].flatMap((c) => (c.state === 'open' && c.flow ? [c.flow] : []));
  }

  /** Keep (or stop keeping) an outbound flow open when idle, e.g. a registration flow. */
  pinFlow(flowId: string, pinned = true): boolean {
    const conn = this.byId.get(flowId);
    if (conn) conn.pinned = pinned;
    return conn !== undefined;
  }

  /** Close one flow (gracefully); onFlowClosed follows. */
  closeFlow(flowId: string, reason = 'closed locally'): void {
    this.byId.get(flowId)?.close(reason);
  }

  async send(bytes: Uint8Array, dest: Endpoint, opts: SendOptions = {}): Promise<Flow> {
    if (this.closing) throw new TransportError('ECLOSED', `the ${this.protocol.toUpperCase()} transport is closed`);
    const conn = this.findConnection(dest, opts) ?? this.connect(dest, opts);
    await conn.ready;
    return conn.write(bytes);
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    const conns = [...this.byId.values()];
    const waits = conns.map((c) => new Promise<void>((resolve) => {
      if (c.socket.destroyed && c.state === 'closed') resolve();
      else c.socket.once('close', () => resolve());
    }));
    for (const c of conns) c.close('transport closed', true);
    // server.close() waits for every accepted socket, handshakes in progress included.
    for (const s of this.acceptedSockets) s.destroy();
    const server = this.server;
    const serverClosed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    this.closing = Promise.all([...waits, serverClosed]).then(() => undefined);
    return this.closing;
  }

  /** The connection to reuse: the flow asked for, else one to the same remote endpoint. */
  private findConnection(dest: Endpoint, opts: SendOptions): StreamConnection | undefined {
    if (opts.flowId !== undefined) {
      const byFlow = this.byId.get(opts.flowId);
      if (byFlow && byFlow.state !== 'closed') return byFlow;
    }
    const candidates = this.byRemote.get(remoteKey(dest.address, dest.port));
    if (!candidates) return undefined;
    const wantedName = opts.serverName ?? dest.address;
    let best: StreamConnection | undefined;
    for (const c of candidates) {
      if (c.state === 'closed') continue;
      if (this.protocol === 'tls') {
        // An outbound TLS connection vouches only for the name it verified; an accepted one
        // (we hold no server certificate of the peer) only when no name is asked for.
        const usable = c.verifiedName !== undefined ? c.verifiedName === wantedName : opts.serverName === undefined;
        if (!usable) continue;
      }
      if (!best || (best.state !== 'open' && c.state === 'open')) best = c;
    }
    return best;
  }

  private connect(dest: Endpoint, opts: SendOptions): StreamConnection {
    const host = normalizeAddress(dest.address);
    const local = this.outboundLocalAddress(host);
    let socket: Socket;
    let verifiedName: string | undefined;
    if (this.protocol === 'tls') {
      const name = opts.serverName ?? host;
      verifiedName = name;
      const tlsOpts = this.opts.tls ?? {};
      socket = tls().connect({
        host,
        port: dest.port,
        ...(local ? { localAddress: local } : {}),
        // SNI carries host names only (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are
        // not permitted").
        ...(isNumericHost(name) ? {} : { servername: name }),
        ...this.secureContextOptions(),
        rejectUnauthorized: tlsOpts.rejectUnauthorized ?? true,
        checkServerIdentity: (_host, cert) => tls().checkServerIdentity(name, cert),
      });
    } else {
      socket = tcpConnect({ host, port: dest.port, ...(local ? { localAddress: local } : {}) });
    }
    const conn = new StreamConnection(socket, this.connectionConfig(true), this.connectionEvents(), { verifiedName });
    this.track(conn, host, dest.port);
    const timer = this.opts.scheduler.set(this.opts.connectTimeoutMs, () => {
      if (conn.state === 'connecting') conn.fail(Object.assign(new Error(`no connection within ${this.opts.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    const opened = () => {
      this.opts.scheduler.cancel(timer);
      conn.markOpen({ protocol: this.protocol, address: host, port: dest.port });
    };
    if (this.protocol === 'tls') socket.once('secureConnect', opened);
    else socket.once('connect', opened);
    socket.once('close', () => this.opts.scheduler.cancel(timer));
    this.opts.logger.debug('connecting', { flow: conn.id, remote: endpointText(dest), serverName: verifiedName });
    return conn;
  }

  private accept(socket: Socket): void {
    const remoteAddress = socket.remoteAddress;
    const remotePort = socket.remotePort;
    if (remoteAddress === undefined || remotePort === undefined) {
      socket.destroy();
      return;
    }
    const conn = new StreamConnection(socket, this.connectionConfig(false), this.connectionEvents());
    this.track(conn, remoteAddress, remotePort);
    conn.markOpen();
  }

  private createTlsServer(): Server {
    const tlsOpts = this.opts.tls ?? {};
    if (!tlsOpts.cert || !tlsOpts.key) {
      throw new TransportError('ECONFIG', 'a TLS listener needs `cert` and `key` (or set the TLS transport to connect only)');
    }
    const server = tls().createServer({ ...this.secureContextOptions() }, (s: TLSSocket) => this.accept(s));
    server.on('tlsClientError', (err, s) => {
      this.opts.logger.info('incoming TLS handshake failed', { remote: `${s.remoteAddress}:${s.remotePort}`, error: err.message });
    });
    return server;
  }

  private secureContextOptions(): { ca?: Array<string | Buffer>; cert?: PemInput; key?: PemInput } {
    const t = this.opts.tls ?? {};
    const extra = t.ca === undefined ? [] : Array.isArray(t.ca) ? t.ca : [t.ca];
    const ca = extra.length === 0 ? undefined : t.useSystemCa === false ? extra : [...tls().rootCertificates, ...extra];
    return { ...(ca ? { ca } : {}), ...(t.cert ? { cert: t.cert } : {}), ...(t.key ? { key: t.key } : {}) };
  }

  /** Bind outgoing connections to our configured address when it is specific and the same family. */
  private outboundLocalAddress(remote: string): string | undefined {
    const a = this.opts.address;
    if (a === '0.0.0.0' || a === '::' || a === '') return undefined;
    return isIpv6Literal(a) === isIpv6Literal(remote) ? a : undefined;
  }

  private connectionConfig(outbound: boolean): ConnectionConfig {
    const o = this.opts;
    return {
      protocol: this.protocol,
      outbound,
      keepAliveIntervalMs: o.keepAliveIntervalMs,
      pongTimeoutMs: o.pongTimeoutMs,
      idleTimeoutMs: o.idleTimeoutMs,
      ...(o.maxHeaderBytes ? { maxHeaderBytes: o.maxHeaderBytes } : {}),
      ...(o.maxBodyBytes ? { maxBodyBytes: o.maxBodyBytes } : {}),
      scheduler: o.scheduler,
      random: o.random,
      logger: o.logger,
    };
  }

  private connectionEvents() {
    return {
      message: (bytes: Uint8Array, flow: Flow) => this.onMessage?.(bytes, flow),
      keepAlive: (flow: Flow, event: KeepAliveEvent) => this.onKeepAlive?.(flow, event),
      closed: (conn: StreamConnection, reason: string, wasOpen: boolean) => {
        this.untrack(conn);
        if (wasOpen && conn.flow) {
          this.opts.logger.debug('flow closed', { flow: conn.id, reason });
          this.onFlowClosed?.(conn.flow, reason);
        }
      },
    };
  }

  private track(conn: StreamConnection, address: string, port: number): void {
    this.byId.set(conn.id, conn);
    const key = remoteKey(address, port);
    let set = this.byRemote.get(key);
    if (!set) this.byRemote.set(key, (set = new Set()));
    set.add(conn);
    this.keyOf.set(conn, key);
  }

  private untrack(conn: StreamConnection): void {
    this.byId.delete(conn.id);
    const key = this.keyOf.get(conn);
    this.keyOf.delete(conn);
    if (key === undefined) return;
    const set = this.byRemote.get(key);
    set?.delete(conn);
    if (set?.size === 0) this.byRemote.delete(key);
  }
}

function remoteKey(address: string, port: number): string {
  return `${normalizeAddress(address)}|${port}`;
}
