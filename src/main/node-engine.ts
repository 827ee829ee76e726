/**
 * The engine on Node: each line is a Phone from createNodePhone (its own UserAgent and
 * sockets), and the profile lives in the platform's data directory unless told otherwise.
 */
import type { Logger } from '../platform/logger.js';
import type { SipUri } from '../sip/message.js';
import type { TransportProtocol } from '../sip/transport.js';
import type { CallAudio } from '../phone/call.js';
import type { LineFactory, LineSpec } from '../phone/engine.js';
import { PhoneEngine } from '../phone/engine.js';
import { CallAudioHub } from '../phone/call-audio-hub.js';
import { createNodePhone } from './node.js';
import { defaultProfileDir } from './profile-dir.js';

export interface NodeEngineOptions {
  profileDir?: string;
  /** Address the direct (account-less) line listens on; default 127.0.0.1. Use 0.0.0.0 to
   * take direct calls from the network. */
  directBindAddress?: string;
  rtpPorts?: { min: number; max: number };
  tlsCaFiles?: string[];
  dnsServers?: string[];
  /** Each call's audio. Default: the browser page attached to the call (engine.audioHub,
   * api/audio-bridge.ts), else silence. */
  audio?: (call: { direction: 'outgoing' | 'incoming'; id: string }) => CallAudio;
  logger?: Logger;
  statsIntervalMs?: number;
}

export { defaultProfileDir } from './profile-dir.js';

function withTransport(uri: SipUri, transport: TransportProtocol): SipUri {
  if (transport === 'udp' || uri.params.has('transport')) return uri;
  const params = new Map(uri.params);
  params.set('transport', transport);
  return { ...uri, params };
}

export function nodeLineFactory(opts: NodeEngineOptions = {}): LineFactory {
  return async (spec: LineSpec) => {
    const common = {
      codecs: spec.codecs,
      dtmfMode: spec.dtmfMode,
      rtpPorts: opts.rtpPorts,
      tlsCaFiles: opts.tlsCaFiles,
      dnsServers: opts.dnsServers,
      logger: opts.logger,
      audio: opts.audio,
    };
    const a = spec.account;
    if (!a) return createNodePhone({ ...common, bindAddress: opts.directBindAddress ?? '127.0.0.1', transports: ['udp', 'tcp'] });
    // Like the CLI (and Linphone's "proxy"): without an outbound proxy, requests go through
    // the registrar when one is given; else to the AOR's domain (RFC 3263).
    const proxy = a.outboundProxy ?? a.registrar;
    return createNodePhone({
      ...common,
      peerHost: (proxy ?? a.aor).host,
      preferredTransport: a.transport,
      outboundProxy: proxy ? withTransport(proxy, a.transport) : undefined,
      credentials: a.password !== undefined ? [{ username: a.aor.user ?? '', authUsername: a.authUser, password: a.password }] : [],
      account: { aor: a.aor, displayName: a.displayName, registrar: a.registrar ? withTransport(a.registrar, a.transport) : undefined },
      transport: a.transport,
    });
  };
}

export function createNodeEngine(opts: NodeEngineOptions = {}): Promise<PhoneEngine> {
  const audioHub = new CallAudioHub();
  return PhoneEngine.open({
    profileDir: opts.profileDir ?? defaultProfileDir(),
    createLine: nodeLineFactory({ ...opts, audio: opts.audio ?? ((call) => audioHub.callAudio(call.id)) }),
    audioHub,
    logger: opts.logger,
    statsIntervalMs: opts.statsIntervalMs,
  });
}
