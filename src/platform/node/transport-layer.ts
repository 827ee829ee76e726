/**
 * The Node implementation of the SIP transport seam (sip/transport.ts): UDP, TCP and TLS
 * behind one TransportLayer. Messages go to the transport named by the destination's
 * protocol; everything received, already framed, comes out of `onMessage`.
 *
 *   const layer = new NodeTransportLayer({ udp: { address: '127.0.0.1', port: 0 }, tcp: { ... } });
 *   await layer.start();            // binds; localEndpoint('udp') now has the real port
 *   layer.onMessage = (bytes, flow) => ...;
 *   const flow = await layer.send(bytes, { protocol: 'tcp', address, port });
 *   await layer.send(reply, flow.remote, { flowId: flow.id });   // same connection
 */
import type { Endpoint, Flow, SendOptions, TransportLayer, TransportProtocol } from '../../sip/transport.js';
import { TransportError } from '../../sip/transport.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import type { Scheduler } from '../scheduler.js';
import { NodeScheduler } from './scheduler.js';
import type { KeepAliveEvent } from './stream-connection.js';
import { StreamTransport, type PemInput } from './stream-transport.js';
import { UdpTransport } from './udp-transport.js';

export type { KeepAliveEvent } from './stream-connection.js';

export interface NodeTransportLayerOptions {
  udp?: { address: string; port: number; recvBufferSize?: number; sendBufferSize?: number };
  tcp?: {
    address: string;
    port: number;
    /** Listen for incoming connections (default true); false: connect out only. */
    listen?: boolean;
  };
  tls?: {
    address: string;
    port: number;
    /** Extra CAs to trust (PEM), on top of the system store unless `useSystemCa` is false. */
    ca?: PemInput;
    /** Our certificate chain and key (PEM). Needed to listen; offered as client certificate. */
    cert?: PemInput;
    key?: PemInput;
    /** Verify the server's certificate and name (RFC 5922 §7.2). Default true. */
    rejectUnauthorized?: boolean;
    /** Trust Node's bundled root CAs as well as `ca`. Default true. */
    useSystemCa?: boolean;
    /** Connect out only, no listener (no certificate needed). Default: true when no cert/key. */
    client?: boolean;
  };
  /** Address reported by localEndpoint (for Via/Contact) when bound to a wildcard address. */
  advertisedAddress?: string | undefined;
  /** RFC 5626 §4.4.1 CRLF ping interval on TCP/TLS flows we opened; each ping after a random
   * 80-100% of it. Default 120,000 ms; 0 disables. */
  keepAliveIntervalMs?: number;
  /** Fail a flow whose peer, having answered pings before, does not answer one within this.
   * Default 10,000 ms (RFC 5626 §4.4.1). */
  pongTimeoutMs?: number;
  /** Close TCP/TLS connections we opened after this long without a SIP message, unless
   * pinned (flows that carried a REGISTER are pinned). Default 300,000 ms; 0 never. */
  idleTimeoutMs?: number;
  /** Give up connecting (ETIMEDOUT) after this long. Default 10,000 ms. */
  connectTimeoutMs?: number;
  /** Stream framing limits (sip/stream-framer.ts). */
  maxHeaderBytes?: number;
  maxBodyBytes?: number;
  /** SO_RCVBUF of the UDP socket (also settable as udp.recvBufferSize). */
  udpRecvBufferSize?: number;
  /** Timers for keep-alive, idle and connect timeouts. Default real timers. */
  scheduler?: Scheduler;
  random?: () => number;
  logger?: Logger | undefined;
}

export class NodeTransportLayer implements TransportLayer {
  onMessage: ((bytes: Uint8Array, flow: Flow) => void) | undefined;
  onFlowClosed: ((flow: Flow, reason: string) => void) | undefined;
  /** RFC 5626 keep-alive traffic on TCP/TLS flows: pings and pongs, sent and received. */
  onKeepAlive: ((flow: Flow, event: KeepAliveEvent) => void) | undefined;

  private readonly udp: UdpTransport | undefined;
  private readonly streams: Partial<Record<'tcp' | 'tls', StreamTransport>> = {};
  private started = false;
  private closing: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(opts: NodeTransportLayerOptions) {
    this.log = (opts.logger ?? silentLogger).child('platform.transport');
    const scheduler = opts.scheduler ?? new NodeScheduler();
    const random = opts.random ?? Math.random;
    const common = {
      advertisedAddress: opts.advertisedAddress,
      keepAliveIntervalMs: opts.keepAliveIntervalMs ?? 120_000,
      pongTimeoutMs: opts.pongTimeoutMs ?? 10_000,
      idleTimeoutMs: opts.idleTimeoutMs ?? 300_000,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      maxHeaderBytes: opts.maxHeaderBytes,
      maxBodyBytes: opts.maxBodyBytes,
      scheduler,
      random,
    };
    if (opts.udp) {
      const recvBufferSize = opts.udp.recvBufferSize ?? opts.udpRecvBufferSize;
      this.udp = new UdpTransport({
        address: opts.udp.address,
        port: opts.udp.port,
        ...(recvBufferSize ? { recvBufferSize } : {}),
        ...(opts.udp.sendBufferSize ? { sendBufferSize: opts.udp.sendBufferSize } : {}),
        ...(opts.advertisedAddress ? { advertisedAddress: opts.advertisedAddress } : {}),
        logger: this.log.child('udp'),
      });
      this.udp.onMessage = (bytes, flow) => this.onMessage?.(bytes, flow);
    }
    if (opts.tcp) {
      this.streams.tcp = new StreamTransport({
        ...common,
        protocol: 'tcp',
        address: opts.tcp.address,
        port: opts.tcp.port,
        listen: opts.tcp.listen ?? true,
        logger: this.log.child('tcp'),
      });
    }
    if (opts.tls) {
      const t = opts.tls;
      const canListen = t.cert !== undefined && t.key !== undefined;
      this.streams.tls = new StreamTransport({
        ...common,
        protocol: 'tls',
        address: t.address,
        port: t.port,
        listen: t.client !== undefined ? !t.client : canListen,
        tls: {
          ...(t.ca !== undefined ? { ca: t.ca } : {}),
          ...(t.cert !== undefined ? { cert: t.cert } : {}),
          ...(t.key !== undefined ? { key: t.key } : {}),
          ...(t.rejectUnauthorized !== undefined ? { rejectUnauthorized: t.rejectUnauthorized } : {}),
          ...(t.useSystemCa !== undefined ? { useSystemCa: t.useSystemCa } : {}),
        },
        logger: this.log.child('tls'),
      });
    }
    for (const s of Object.values(this.streams)) {
      s.onMessage = (bytes, flow) => this.onMessage?.(bytes, flow);
      s.onFlowClosed = (flow, reason) => this.onFlowClosed?.(flow, reason);
      s.onKeepAlive = (flow, event) => this.onKeepAlive?.(flow, event);
    }
  }

  /** Bind and listen on every configured transport. On failure, closes what did start. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      await Promise.all([this.udp?.start(), this.streams.tcp?.start(), this.streams.tls?.start()]);
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  localEndpoint(protocol: TransportProtocol): Endpoint | undefined {
    if (protocol === 'udp') return this.udp?.localEndpoint();
    if (protocol === 'tcp' || protocol === 'tls') return this.streams[protocol]?.localEndpoint();
    return undefined;
  }

  send(bytes: Uint8Array, dest: Endpoint, opts: SendOptions = {}): Promise<Flow> {
    if (this.closing) return Promise.reject(new TransportError('ECLOSED', 'the transport layer is closed'));
    if (!this.started) return Promise.reject(new TransportError('ECLOSED', 'the transport layer is not started'));
    if (dest.protocol === 'udp') {
      if (this.udp) return this.udp.send(bytes, dest);
    } else if (dest.protocol === 'tcp' || dest.protocol === 'tls') {
      const s = this.streams[dest.protocol];
      if (s) return s.send(bytes, dest, opts);
    }
    return Promise.reject(new TransportError('EUNSUPPORTED', `no ${dest.protocol.toUpperCase()} transport is configured`));
  }

  /** Open TCP/TLS flows. */
  flows(): Flow[] {
    return [...(this.streams.tcp?.flows() ?? []), ...(this.streams.tls?.flows() ?? [])];
  }

  /**
   * Keep an outbound TCP/TLS flow open however long it is idle (or release it). Flows that
   * carried a REGISTER are pinned already: RFC 5626 §5 wants the registration flow kept up.
   */
  pinFlow(flowId: string, pinned = true): boolean {
    return (this.streams.tcp?.pinFlow(flowId, pinned) ?? false) || (this.streams.tls?.pinFlow(flowId, pinned) ?? false);
  }

  /** Close one TCP/TLS flow; onFlowClosed follows. */
  closeFlow(flowId: string, reason?: string): void {
    this.streams.tcp?.closeFlow(flowId, reason);
    this.streams.tls?.closeFlow(flowId, reason);
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Close every socket; idempotent. Open flows are reported through onFlowClosed. */
  close(): Promise<void> {
    this.closing ??= Promise.all([this.udp?.close(), this.streams.tcp?.close(), this.streams.tls?.close()]).then(() => undefined);
    return this.closing;
  }
}
