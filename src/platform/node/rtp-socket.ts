/**
 * The UDP sockets of one RTP stream for Node: an even RTP port and RTCP on the next one
 * (RFC 3550 §11), taken from a configurable `PortRange`, or a single socket when RTCP is
 * multiplexed (RFC 5761). Implements media/'s `RtpTransport` seam.
 *
 * Per-packet costs matter here (100k packets/s for 1000 calls), so:
 * - socket buffers are enlarged (SO_RCVBUF/SO_SNDBUF up to net.core.rmem_max/wmem_max): with
 *   the 212 KB default, bursts are dropped silently under load (docs/bench-media.md);
 * - sends go without a completion callback, and the socket's lookup answers IP literals
 *   synchronously instead of going through dns.lookup and a nextTick for every packet;
 * - outgoing packet buffers are Buffers (`allocateBuffer`), so dgram does not wrap them.
 * With no callback, a failed send is not reported: RTP is best-effort and RTCP shows the loss.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { readFileSync } from 'node:fs';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import type { DatagramHandler, RtpTransport } from '../../media/media-stream.js';
import { PortRange } from './port-range.js';
import { isNumericHost } from '../../sip/locator.js';
import { isIpv6Literal, normalizeAddress } from './socket-util.js';

export interface RtpSocketOptions {
  /** Address to bind. Default 127.0.0.1. */
  address?: string;
  /** Where the ports come from. Default: one process-wide range, 10000-20000. */
  portRange?: PortRange;
  /** One socket for RTP and RTCP (RFC 5761), when mux is known to be used. Default false. */
  rtcpMux?: boolean;
  /** SO_RCVBUF in bytes. Default min(1 MiB, net.core.rmem_max). */
  recvBufferSize?: number;
  /** SO_SNDBUF in bytes. Default min(1 MiB, net.core.wmem_max). */
  sendBufferSize?: number;
  /** Port pairs to try when a bind fails (another process holds the port). Default 50. */
  bindAttempts?: number;
  logger?: Logger;
}

export class RtpSocketError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RtpSocketError';
    this.code = code;
  }
}

const ONE_MIB = 1 << 20;
let sysMax: { rmem: number; wmem: number } | undefined;

/** net.core.rmem_max / wmem_max (Linux), read once; 1 MiB elsewhere. */
export function socketBufferLimits(): { rmem: number; wmem: number } {
  if (!sysMax) {
    const read = (name: string) => {
      try {
        const v = Number(readFileSync(`/proc/sys/net/core/${name}`, 'utf8').trim());
        return Number.isFinite(v) && v > 0 ? v : ONE_MIB;
      } catch {
        return ONE_MIB;
      }
    };
    sysMax = { rmem: read('rmem_max'), wmem: read('wmem_max') };
  }
  return sysMax;
}

let defaultRange: PortRange | undefined;
/** The process-wide RTP port range used when none is given. */
export function defaultPortRange(): PortRange {
  defaultRange ??= new PortRange();
  return defaultRange;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** dgram's lookup hook: IP literals answer at once (no dns.lookup, no nextTick per packet). */
function literalLookup(address: string, family: number, callback: LookupCallback): void {
  if (isNumericHost(address)) callback(null, address, isIpv6Literal(address) ? 6 : 4);
  else dnsLookup(address, family, callback);
}

export class RtpSocket implements RtpTransport {
  readonly localAddress: string;
  readonly rtpPort: number;
  readonly rtcpPort: number;
  onRtp: DatagramHandler | undefined;
  onRtcp: DatagramHandler | undefined;
  private readonly rtp: Socket;
  private readonly rtcp: Socket | undefined;
  private readonly range: PortRange;
  private closing: Promise<void> | undefined;

  private constructor(address: string, rtpPort: number, rtp: Socket, rtcp: Socket | undefined, range: PortRange, log: Logger) {
    this.localAddress = address;
    this.rtpPort = rtpPort;
    this.rtcpPort = rtcp ? rtpPort + 1 : rtpPort;
    this.rtp = rtp;
    this.rtcp = rtcp;
    this.range = range;
    const warn = (err: Error) => log.warn('rtp socket error', { port: rtpPort, error: err.message });
    rtp.on('error', warn);
    rtp.on('message', (msg, rinfo) => {
      const h = this.onRtp;
      if (h) h(msg, rinfo.address, rinfo.port);
    });
    if (rtcp) {
      rtcp.on('error', warn);
      rtcp.on('message', (msg, rinfo) => {
        const h = this.onRtcp;
        if (h) h(msg, rinfo.address, rinfo.port);
      });
    }
  }

  /** Bind a port pair from the range (or one port with rtcpMux). */
  static async open(options: RtpSocketOptions = {}): Promise<RtpSocket> {
    const address = options.address ?? '127.0.0.1';
    const range = options.portRange ?? defaultPortRange();
    const log = options.logger ?? silentLogger;
    const limits = socketBufferLimits();
    const recv = options.recvBufferSize ?? Math.min(ONE_MIB, limits.rmem);
    const send = options.sendBufferSize ?? Math.min(ONE_MIB, limits.wmem);
    const attempts = options.bindAttempts ?? 50;
    let lastError: unknown;
    for (let i = 0; i < attempts; i++) {
      const port = range.allocate();
      if (port === undefined) break;
      let rtp: Socket | undefined;
      let rtcp: Socket | undefined;
      try {
        rtp = await bindSocket(address, port, recv, send);
        if (!options.rtcpMux) rtcp = await bindSocket(address, port + 1, recv, send);
        log.debug('rtp socket bound', { address, rtpPort: port, rtcpPort: rtcp ? port + 1 : port });
        return new RtpSocket(normalizeAddress(address), port, rtp, rtcp, range, log);
      } catch (err) {
        lastError = err;
        rtp?.close();
        range.release(port);
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' && (err as NodeJS.ErrnoException).code !== 'EACCES') break;
      }
    }
    if (range.available === 0 && lastError === undefined) throw new RtpSocketError('ENOPORTS', `no free RTP port pair in ${range.min}-${range.max}`);
    throw new RtpSocketError('EBIND', `cannot bind an RTP port pair on ${address} in ${range.min}-${range.max}`, { cause: lastError });
  }

  sendRtp(bytes: Uint8Array, address: string, port: number): void {
    if (this.closing) return;
    this.rtp.send(bytes, port, address);
  }

  sendRtcp(bytes: Uint8Array, address: string, port: number): void {
    if (this.closing) return;
    (this.rtcp ?? this.rtp).send(bytes, port, address);
  }

  /** SO_RCVBUF / SO_SNDBUF of the RTP socket as the kernel set them (Linux reports double). */
  bufferSizes(): { recv: number; send: number } {
    return { recv: this.rtp.getRecvBufferSize(), send: this.rtp.getSendBufferSize() };
  }

  allocateBuffer(size: number): Uint8Array {
    return Buffer.alloc(size);
  }

  /** Close the sockets and give the ports back to the range. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.onRtp = undefined;
    this.onRtcp = undefined;
    const closeOne = (s: Socket) => new Promise<void>((resolve) => s.close(() => resolve()));
    this.closing = Promise.all([closeOne(this.rtp), this.rtcp ? closeOne(this.rtcp) : Promise.resolve()]).then(() => {
      this.range.release(this.rtpPort);
    });
    return this.closing;
  }
}

function bindSocket(address: string, port: number, recvBufferSize: number, sendBufferSize: number): Promise<Socket> {
  const socket = createSocket({ type: isIpv6Literal(address) ? 'udp6' : 'udp4', recvBufferSize, sendBufferSize, lookup: literalLookup as never });
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      try {
        socket.close();
      } catch {
        // already closed by the failed bind
      }
      reject(err);
    };
    socket.once('error', onError);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
