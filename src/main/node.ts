/**
 * The Node runtime's setup: real sockets, DNS, timers and randomness wired into the
 * isomorphic SIP core (docs/architecture.md). Everything above (phone/, cli/) gets a ready
 * UserAgent from here and never imports platform/node itself.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import type { Logger } from '../platform/logger.js';
import { NodeDnsResolver } from '../platform/node/dns.js';
import { NodeScheduler } from '../platform/node/scheduler.js';
import { NodeTransportLayer } from '../platform/node/transport-layer.js';
import type { DigestCredentials } from '../sip/auth/digest-client.js';
import type { SipUri } from '../sip/message.js';
import type { TimerConfig } from '../sip/transaction/index.js';
import type { TransportProtocol } from '../sip/transport.js';
import { UserAgent } from '../sip/user-agent.js';
import { defaultCodecRegistry } from '../media/codec-registry.js';
import { sharedMediaClock } from '../platform/node/media-clock.js';
import { PortRange } from '../platform/node/port-range.js';
import { RtpSocket } from '../platform/node/rtp-socket.js';
import { createMediaWorkerEnvironment, MediaWorkerPool } from '../platform/node/media-workers.js';
import type { MediaEnvironment } from '../phone/call.js';
import type { PhoneOptions } from '../phone/phone.js';
import { Phone } from '../phone/phone.js';

export const PRODUCT = 'softphone/0.1.0';

export interface NodeUserAgentOptions {
  /** Address to bind; default: 127.0.0.1 when `peerHost` is on loopback, else 0.0.0.0. */
  bindAddress?: string;
  /** A host the UA will talk to, used to choose the bind and advertised address. */
  peerHost?: string;
  /** SIP port for UDP and TCP (TLS listens on port+1); 0 or absent picks free ports. */
  sipPort?: number;
  transports?: TransportProtocol[];
  preferredTransport?: TransportProtocol;
  /** PEM files of extra CAs to trust for TLS (the system store is always trusted). */
  tlsCaFiles?: string[];
  /** DNS servers (`ip` or `ip:port`) for RFC 3263 lookups instead of the system's. */
  dnsServers?: string[];
  credentials?: DigestCredentials[];
  outboundProxy?: SipUri;
  timers?: Partial<TimerConfig>;
  logger?: Logger;
}

export function nodeRandomHex(): string {
  return randomBytes(8).toString('hex');
}

function isLoopback(host: string | undefined): boolean {
  if (!host) return false;
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || h.startsWith('127.');
}

/** The first non-internal IPv4 address, for Via and Contact when bound to every interface. */
export function primaryAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const ni of list ?? []) if (ni.family === 'IPv4' && !ni.internal) return ni.address;
  }
  return '127.0.0.1';
}

export async function createNodeUserAgent(opts: NodeUserAgentOptions = {}): Promise<{ ua: UserAgent; transport: NodeTransportLayer }> {
  const bind = opts.bindAddress ?? (isLoopback(opts.peerHost) || !opts.peerHost ? '127.0.0.1' : '0.0.0.0');
  const protocols = opts.transports ?? ['udp', 'tcp', 'tls'];
  const port = opts.sipPort ?? 0;
  const ca = opts.tlsCaFiles?.map((f) => readFileSync(f, 'utf8'));
  const transport = new NodeTransportLayer({
    ...(protocols.includes('udp') ? { udp: { address: bind, port } } : {}),
    ...(protocols.includes('tcp') ? { tcp: { address: bind, port } } : {}),
    ...(protocols.includes('tls') ? { tls: { address: bind, port: port ? port + 1 : 0, ...(ca ? { ca } : {}), client: true } } : {}),
    advertisedAddress: bind === '0.0.0.0' ? primaryAddress() : undefined,
    logger: opts.logger,
  });
  await transport.start();
  const ua = new UserAgent({
    transport,
    scheduler: new NodeScheduler(),
    resolver: new NodeDnsResolver(opts.dnsServers ? { servers: opts.dnsServers } : {}),
    credentials: opts.credentials,
    outboundProxy: opts.outboundProxy,
    preferredTransport: opts.preferredTransport,
    product: PRODUCT,
    timers: opts.timers,
    random: nodeRandomHex,
    logger: opts.logger,
  });
  return { ua, transport };
}

// ─── the phone ─────────────────────────────────────────────────────────────────────────────

export interface NodePhoneOptions extends NodeUserAgentOptions, Omit<PhoneOptions, 'ua' | 'media' | 'echoUserAgent'> {
  /** RTP ports, e.g. { min: 10000, max: 20000 }. */
  rtpPorts?: { min: number; max: number };
  /**
   * Media worker threads carrying the calls' RTP (platform/node/media-workers.ts); 0 runs
   * media in the main thread. Default DEFAULT_MEDIA_WORKERS (docs/decisions.md says why).
   */
  mediaWorkers?: number;
}

/** In-thread media unless asked: see docs/decisions.md ("Media worker threads"). */
export const DEFAULT_MEDIA_WORKERS = 0;

/** Media for calls: RTP sockets on the UA's address, one shared 20 ms clock, G.711. */
export function createNodeMediaEnvironment(bindAddress: string, opts: { rtpPorts?: { min: number; max: number }; mediaWorkers?: number; logger?: Logger } = {}): MediaEnvironment {
  const address = bindAddress === '0.0.0.0' ? primaryAddress() : bindAddress;
  const workers = opts.mediaWorkers ?? DEFAULT_MEDIA_WORKERS;
  if (workers > 0) {
    const pool = new MediaWorkerPool({ workers, rtpPorts: opts.rtpPorts, logger: opts.logger?.child('media.workers') });
    return createMediaWorkerEnvironment(pool, { bindAddress, address, logger: opts.logger?.child('media.workers') });
  }
  const portRange = opts.rtpPorts ? new PortRange(opts.rtpPorts) : undefined;
  return {
    address,
    openRtp: () => RtpSocket.open({ address: bindAddress, ...(portRange ? { portRange } : {}) }),
    clock: sharedMediaClock(),
    codecs: defaultCodecRegistry(),
  };
}

export async function createNodePhone(opts: NodePhoneOptions = {}): Promise<Phone> {
  const { ua, transport } = await createNodeUserAgent(opts);
  const bind = transport.localEndpoint(ua.defaultProtocol())!.address;
  const media = createNodeMediaEnvironment(bind, { rtpPorts: opts.rtpPorts, mediaWorkers: opts.mediaWorkers, logger: opts.logger });
  return new Phone({
    ...opts,
    ua,
    media,
    echoUserAgent: async () => (await createNodeUserAgent({ bindAddress: '127.0.0.1', transports: ['udp'] })).ua,
  });
}
