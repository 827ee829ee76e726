/**
 * One TCP or TLS connection carrying SIP: framing (sip/stream-framer.ts), RFC 5626 §4.4.1
 * CRLF keep-alives, and the idle timer of connections this side opened.
 *
 *   connecting ──connect / secureConnect──▶ open ──error, end, close()──▶ closed
 *        └──────────── error, timeout ─────────────────────────────────────┘
 *
 * A connection that never opened rejects `ready` and is not a flow: onFlowClosed is reported
 * only for connections that opened.
 */
import type { Socket } from 'node:net';
import type { Endpoint, Flow } from '../../sip/transport.js';
import { TransportError } from '../../sip/transport.js';
import { StreamFramer } from '../../sip/stream-framer.js';
import type { Scheduler, TimerHandle } from '../scheduler.js';
import type { Logger } from '../logger.js';
import { normalizeAddress, transportErrorFrom } from './socket-util.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';
export type KeepAliveEvent = { kind: 'ping' | 'pong'; direction: 'in' | 'out' };

export interface ConnectionConfig {
  protocol: 'tcp' | 'tls';
  /** True when this side opened the connection (it pings and may close it when idle). */
  outbound: boolean;
  /** RFC 5626 §4.4.1 ping interval base; 0 disables pings. */
  keepAliveIntervalMs: number;
  /** How long to wait for a pong once the peer has shown it answers pings. */
  pongTimeoutMs: number;
  /** Close an outbound connection after this long without a SIP message; 0 never. */
  idleTimeoutMs: number;
  maxHeaderBytes?: number;
  maxBodyBytes?: number;
  scheduler: Scheduler;
  random: () => number;
  logger: Logger;
}

export interface ConnectionEvents {
  message(bytes: Uint8Array, flow: Flow): void;
  keepAlive(flow: Flow, event: KeepAliveEvent): void;
  /** Once, when the socket is gone; `wasOpen` false for a connection that never opened. */
  closed(conn: StreamConnection, reason: string, wasOpen: boolean): void;
}

const PING = new Uint8Array([0x0d, 0x0a, 0x0d, 0x0a]);
const PONG = new Uint8Array([0x0d, 0x0a]);
const REGISTER = new TextEncoder().encode('REGISTER ');

let nextId = 0;

export class StreamConnection {
  readonly id: string;
  state: ConnectionState = 'connecting';
  flow: Flow | undefined;
  /** For outbound TLS: the name the certificate was verified against. */
  readonly verifiedName: string | undefined;
  /** Exempt from the idle timer (a registration flow, RFC 5626 §5). */
  pinned = false;
  /** Resolves when open; rejects with a TransportError if the connection never opens. */
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (err: TransportError) => void;
  private readonly framer: StreamFramer;
  private pingTimer: TimerHandle | undefined;
  private pongTimer: TimerHandle | undefined;
  private idleTimer: TimerHandle | undefined;
  /** The peer answered a ping once: from then on a missing pong fails the flow. */
  private peerAnswersPings = false;
  private closeReason: string | undefined;

  constructor(
    readonly socket: Socket,
    private readonly config: ConnectionConfig,
    private readonly events: ConnectionEvents,
    opts: { verifiedName?: string; remote?: Endpoint } = {},
  ) {
    this.id = `${config.protocol}#${++nextId}`;
    this.verifiedName = opts.verifiedName;
    this.framer = new StreamFramer({
      eagerPong: config.outbound,
      ...(config.maxHeaderBytes ? { maxHeaderBytes: config.maxHeaderBytes } : {}),
      ...(config.maxBodyBytes ? { maxBodyBytes: config.maxBodyBytes } : {}),
    });
    this.ready = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // A rejected `ready` that nobody awaits must not become an unhandled rejection.
    this.ready.catch(() => {});
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('end', () => {
      this.closeReason ??= 'closed by peer';
      socket.end();
    });
    socket.on('close', () => this.onSocketClose());
  }

  /** The socket is connected (and for TLS, verified): become a flow. */
  markOpen(remoteHint?: Endpoint): void {
    if (this.state !== 'connecting') return;
    const s = this.socket;
    const local: Endpoint = { protocol: this.config.protocol, address: normalizeAddress(s.localAddress ?? ''), port: s.localPort ?? 0 };
    const remote: Endpoint = remoteHint
      ? { ...remoteHint, address: normalizeAddress(remoteHint.address) }
      : { protocol: this.config.protocol, address: normalizeAddress(s.remoteAddress ?? ''), port: s.remotePort ?? 0 };
    this.flow = { id: this.id, local, remote };
    this.state = 'open';
    this.config.logger.debug('flow open', { flow: this.id, local: `${local.address}:${local.port}`, remote: `${remote.address}:${remote.port}`, outbound: this.config.outbound });
    this.resolveReady();
    this.armPing();
    this.touch();
  }

  /** Write one message; resolves once handed to the kernel. */
  write(bytes: Uint8Array): Promise<Flow> {
    const flow = this.flow;
    if (this.state !== 'open' || !flow || this.socket.destroyed) {
      return Promise.reject(new TransportError('ECLOSED', `flow ${this.id} is closed${this.closeReason ? `: ${this.closeReason}` : ''}`));
    }
    if (this.config.outbound && startsWith(bytes, REGISTER)) this.pinned = true;
    this.touch();
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (err) => {
        if (err) reject(transportErrorFrom(err, this.config.protocol, `write on ${this.id} failed`));
        else resolve(flow);
      });
    });
  }

  /** Close with a reason; `destroy` when the stream is broken, graceful end otherwise. */
  close(reason: string, destroy = false): void {
    if (this.state === 'closed') return;
    this.closeReason ??= reason;
    if (this.state === 'connecting') this.rejectReady(new TransportError('ECLOSED', `connection ${this.id} closed before it opened: ${reason}`));
    if (destroy) this.socket.destroy();
    else this.socket.end();
    // end() waits for the peer's FIN; do not let a silent peer keep the socket forever.
    if (!destroy) this.socket.setTimeout(2000, () => this.socket.destroy());
  }

  /** A failure before or after opening. */
  fail(err: unknown): void {
    const te = transportErrorFrom(err, this.config.protocol, this.state === 'connecting' ? 'connect failed' : `flow ${this.id} failed`);
    if (this.state === 'connecting') {
      this.rejectReady(te);
      this.closeReason ??= te.message;
    } else {
      this.closeReason ??= `error ${te.code}: ${te.message}`;
    }
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.state !== 'open' || !this.flow) return;
    const result = this.framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    for (const item of result.items) {
      if (this.state !== 'open') return;
      if (item.type === 'message') {
        this.touch();
        this.events.message(item.bytes, this.flow);
      } else if (item.type === 'ping') {
        // RFC 5626 §4.4.1: "When a server receives a double CRLF ... it MUST immediately
        // send back a single CRLF".
        this.socket.write(PONG);
        this.events.keepAlive(this.flow, { kind: 'ping', direction: 'in' });
        this.events.keepAlive(this.flow, { kind: 'pong', direction: 'out' });
      } else {
        this.peerAnswersPings = true;
        this.config.scheduler.cancel(this.pongTimer);
        this.pongTimer = undefined;
        this.events.keepAlive(this.flow, { kind: 'pong', direction: 'in' });
      }
    }
    if (!result.ok) {
      this.config.logger.warn('framing error, closing the connection', { flow: this.id, code: result.error.code, error: result.error.message });
      this.close(`framing error (${result.error.code}): ${result.error.message}`, true);
    }
  }

  /**
   * RFC 5626 §4.4.1: pings from the side that opened the flow, each after a random 80-100%
   * of the interval. The pong timeout applies only once the peer has answered a ping: peers
   * that never speak keep-alives (no `outbound` support) must not lose their connections.
   */
  private armPing(): void {
    const { keepAliveIntervalMs, scheduler, random } = this.config;
    if (!this.config.outbound || keepAliveIntervalMs <= 0 || this.state !== 'open') return;
    const delay = Math.round(keepAliveIntervalMs * (0.8 + 0.2 * random()));
    this.pingTimer = scheduler.set(delay, () => {
      this.pingTimer = undefined;
      if (this.state !== 'open' || !this.flow) return;
      this.socket.write(PING);
      this.events.keepAlive(this.flow, { kind: 'ping', direction: 'out' });
      if (this.peerAnswersPings && this.pongTimer === undefined) {
        this.pongTimer = scheduler.set(this.config.pongTimeoutMs, () => {
          this.pongTimer = undefined;
          this.close('keep-alive timeout: no pong (RFC 5626 §4.4.1)', true);
        });
      }
      this.armPing();
    });
  }

  /** Restart the idle timer of an outbound connection. */
  private touch(): void {
    const { idleTimeoutMs, scheduler } = this.config;
    if (!this.config.outbound || idleTimeoutMs <= 0) return;
    scheduler.cancel(this.idleTimer);
    this.idleTimer = scheduler.set(idleTimeoutMs, () => {
      this.idleTimer = undefined;
      if (this.pinned) this.touch();
      else this.close('idle', false);
    });
  }

  private onSocketClose(): void {
    const wasOpen = this.state === 'open';
    if (this.state === 'connecting') this.rejectReady(new TransportError('ECLOSED', `connection closed before it opened${this.closeReason ? `: ${this.closeReason}` : ''}`));
    this.state = 'closed';
    const { scheduler } = this.config;
    scheduler.cancel(this.pingTimer);
    scheduler.cancel(this.pongTimer);
    scheduler.cancel(this.idleTimer);
    this.pingTimer = this.pongTimer = this.idleTimer = undefined;
    this.events.closed(this, this.closeReason ?? 'closed', wasOpen);
  }
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}
