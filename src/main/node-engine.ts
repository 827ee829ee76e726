/**
 * The engine on Node: each line is a Phone from createNodePhone (its own UserAgent and
 * sockets), and the profile lives in the platform's data directory unless told otherwise.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../platform/logger.js';
import type { SipUri } from '../sip/message.js';
import type { TransportProtocol } from '../sip/transport.js';
import type { CallAudio } from '../phone/call.js';
import type { LineFactory, LineSpec } from '../phone/engine.js';
import { PhoneEngine } from '../phone/engine.js';
import { CallAudioHub } from '../phone/call-audio-hub.js';
import { createNodePhone } from './node.js';

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

/** Where the profile goes: $XDG_DATA_HOME/softphone (~/.local/share/softphone) on Linux,
 * ~/Library/Application Support/softphone on macOS, %APPDATA%\softphone on Windows. */
export function defaultProfileDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'softphone');
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'softphone');
  const xdg = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(xdg, 'softphone');
}

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
