/**
 * SIP over UDP for Node (RFC 3261 §18): one socket, bound at start, sending to any endpoint
 * and receiving from any. UDP has no connections: a flow is the 5-tuple, always "open", and
 * never reported closed. Datagram size is the caller's concern (UDP_MAX_MESSAGE_BYTES).
 */
import { createSocket, type Socket } from 'node:dgram';
import type { Endpoint, Flow } from '../../sip/transport.js';
import { TransportError } from '../../sip/transport.js';
import type { Logger } from '../logger.js';
import { endpointText, isIpv6Literal, normalizeAddress, transportErrorFrom } from './socket-util.js';

/**
 * RFC 3261 §18.1.1: "If a request is within 200 bytes of the path MTU, or if it is larger
 * than 1300 bytes and the path MTU is unknown, the request MUST be sent using an RFC 2914
 * congestion controlled transport protocol, such as TCP." Over this size, send over TCP.
 */
export const UDP_MAX_MESSAGE_BYTES = 1300;

export interface UdpTransportOptions {
  address: string;
  port: number;
  /** SO_RCVBUF; raise it (up to net.core.rmem_max) when bursts are dropped. */
  recvBufferSize?: number;
  sendBufferSize?: number;
  /** Address reported by localEndpoint instead of the bound one (when bound to 0.0.0.0). */
  advertisedAddress?: string;
  logger: Logger;
}

export class UdpTransport {
  onMessage: ((bytes: Uint8Array, flow: Flow) => void) | undefined;
  private socket: Socket | undefined;
  private bound: Endpoint | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: UdpTransportOptions) {}

  /** Bind the socket; resolves once bound (port 0 picks a free port). */
  start(): Promise<void> {
    const { address, port } = this.opts;
    const socket = createSocket({
      type: isIpv6Literal(address) ? 'udp6' : 'udp4',
      ...(this.opts.recvBufferSize ? { recvBufferSize: this.opts.recvBufferSize } : {}),
      ...(this.opts.sendBufferSize ? { sendBufferSize: this.opts.sendBufferSize } : {}),
    });
    this.socket = socket;
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(transportErrorFrom(err, 'udp', `cannot bind UDP ${address}:${port}`));
      socket.once('error', onError);
      socket.bind(port, address, () => {
        socket.off('error', onError);
        const a = socket.address();
        this.bound = { protocol: 'udp', address: normalizeAddress(a.address), port: a.port };
        socket.on('error', (err) => this.opts.logger.warn('udp socket error', { error: err.message }));
        socket.on('message', (msg, rinfo) => this.receive(msg, rinfo.address, rinfo.port));
        this.opts.logger.info('udp listening', { local: endpointText(this.bound) });
        resolve();
      });
    });
  }

  localEndpoint(): Endpoint | undefined {
    if (!this.bound) return undefined;
    return { ...this.bound, address: this.opts.advertisedAddress ?? this.bound.address };
  }

  send(bytes: Uint8Array, dest: Endpoint): Promise<Flow> {
    const socket = this.socket;
    const bound = this.bound;
    if (!socket || !bound || this.closing) {
      return Promise.reject(new TransportError('ECLOSED', 'the UDP transport is not running'));
    }
    return new Promise((resolve, reject) => {
      socket.send(bytes, dest.port, dest.address, (err) => {
        if (err) reject(transportErrorFrom(err, 'udp', `UDP send to ${endpointText(dest)} failed`));
        else resolve(this.flowTo(dest.address, dest.port));
      });
    });
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    const socket = this.socket;
    this.closing = socket ? new Promise((resolve) => socket.close(() => resolve())) : Promise.resolve();
    return this.closing;
  }

  private receive(msg: Buffer, address: string, port: number): void {
    // RFC 5626 §4.4.2 keeps UDP flows alive with STUN, but some UAs send bare CRLFs; neither
    // is a SIP message. CRLF-only datagrams are dropped here, as are STUN packets (first two
    // bits zero and the magic cookie of RFC 5389 §6), which this layer does not answer.
    if (msg.length === 0 || msg.every((b) => b === 0x0d || b === 0x0a)) return;
    if (msg.length >= 20 && (msg[0] as number) < 4 && msg.readUInt32BE(4) === 0x2112a442) return;
    const bytes = new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength);
    this.onMessage?.(bytes, this.flowTo(normalizeAddress(address), port));
  }

  private flowTo(address: string, port: number): Flow {
    const local = this.bound as Endpoint;
    const remote: Endpoint = { protocol: 'udp', address, port };
    return { id: `udp:${endpointText(local)}>${endpointText(remote)}`, local, remote };
  }
}
