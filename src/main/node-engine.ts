/**
 * The engine on Node: each line is a Phone from createNodePhone (its own UserAgent and
 * sockets), and the profile lives in the platform's data directory unless told otherwise.
 *
 * A call's audio is the engine's CallAudioHub: the browser page attached to the call; without
 * one, with 'audio.handset': 'system', the sound system's devices named by 'audio.inputDevice'
 * and 'audio.outputDevice' (null: the default) at 'audio.inputLevel'/'audio.outputLevel'
 * (node-audio.ts SystemHandset), else silence. The devices are chosen as a call's audio starts
 * (and again when a page detaches from it): a settings change applies to calls from then on;
 * the levels apply at once to calls on the devices. In 'system' mode an incoming call also
 * rings on 'audio.ringDevice', else 'audio.outputDevice' ('audio.ringtone', at
 * 'audio.outputLevel'), or beeps for call waiting on the call's speaker, until it is answered,
 * declined or gone; an outgoing call that rings without early media plays the ringback there.
 */
import type { Logger } from '../platform/logger.js';
import type { SipUri } from '../sip/message.js';
import type { TransportProtocol } from '../sip/transport.js';
import type { CallAudio } from '../phone/call.js';
import type { LineFactory, LineSpec, PhoneEngineOptions } from '../phone/engine.js';
import { PhoneEngine } from '../phone/engine.js';
import { CallAudioHub } from '../phone/call-audio-hub.js';
import type { DeviceHandsetFactory } from '../phone/call-audio-hub.js';
import type { SettingsInfo } from '../phone/engine-schemas.js';
import type { AudioDevice, SystemAudioOptions } from './node-audio.js';
import { listAudioDevices, SystemHandset, SystemRinger } from './node-audio.js';
import { createNodePhone } from './node.js';
import { defaultProfileDir } from './profile-dir.js';

export interface NodeEngineOptions {
  profileDir?: string;
  /** Address the direct (account-less) line listens on; default 127.0.0.1. Use 0.0.0.0 to
   * take direct calls from the network. */
  directBindAddress?: string;
  /** SIP port (UDP and TCP) of the direct line: default 5060, as desk phones and other
   * softphones use; when it is taken, a free one (the engine says which: `directUri`). 0: a free one. */
  directPort?: number;
  rtpPorts?: { min: number; max: number };
  tlsCaFiles?: string[];
  dnsServers?: string[];
  /** Each call's audio. Default: the browser page attached to the call (engine.audioHub,
   * api/audio-bridge.ts), else the sound devices when 'audio.handset' is 'system', else silence. */
  audio?: (call: { direction: 'outgoing' | 'incoming'; id: string }) => CallAudio;
  /** The sound system of 'audio.handset': 'system' (its tools' environment: PULSE_SERVER ...). Default: detected, process.env. */
  systemAudio?: SystemAudioOptions;
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
    if (!a) {
      const direct = (sipPort: number) => createNodePhone({ ...common, bindAddress: opts.directBindAddress ?? '127.0.0.1', transports: ['udp', 'tcp'], sipPort });
      const port = opts.directPort ?? DIRECT_PORT;
      try {
        return await direct(port);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (port === 0 || (code !== 'EADDRINUSE' && code !== 'EACCES')) throw err;
        opts.logger?.info('the direct line takes a free port', { port, error: code });
        return direct(0);
      }
    }
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

/** The direct line's port unless told otherwise (or taken). */
const DIRECT_PORT = 5060;

/** Settings' percent (0..100) as a device level (0..1). */
function level(percent: number): number {
  return Math.min(100, Math.max(0, percent)) / 100;
}

/** The hub's devices: a SystemHandset per call when the settings (read as its audio starts) say 'system'. */
function systemDevices(settings: () => SettingsInfo | undefined, handsets: Set<SystemHandset>, sys: SystemAudioOptions): DeviceHandsetFactory {
  return (call, report) => {
    const s = settings();
    if (!s || s['audio.handset'] !== 'system') return undefined;
    const handset = new SystemHandset({
      ...sys,
      input: s['audio.inputDevice'],
      output: s['audio.outputDevice'],
      inputLevel: level(s['audio.inputLevel']),
      outputLevel: level(s['audio.outputLevel']),
      format: call.format,
      report,
    });
    handsets.add(handset);
    return {
      read: (out) => handset.read(out),
      write: (frame, t) => handset.write(frame, t),
      close: () => {
        handsets.delete(handset);
        void handset.close();
      },
    };
  };
}

/** The engine's ringer: the system speaker when the settings say 'system', else none (the page rings). */
function systemRinger(settings: () => SettingsInfo | undefined, sys: SystemAudioOptions, logger: Logger | undefined): NonNullable<PhoneEngineOptions['ringer']> {
  return ({ callId, kind }) => {
    const s = settings();
    if (!s || s['audio.handset'] !== 'system') return undefined;
    // The ringtone 'none' makes no sound (and opens no device): SystemRinger has nothing to play.
    const ringer = new SystemRinger({
      ...sys,
      // The ringer rings; call waiting beeps in the call's own speaker.
      output: kind === 'ring' ? (s['audio.ringDevice'] ?? s['audio.outputDevice']) : s['audio.outputDevice'],
      level: level(s['audio.outputLevel']),
      tone: s['audio.ringtone'],
      kind,
      onError: (message) => logger?.warn('ringtone', { callId, error: message }),
    });
    return { stop: () => void ringer.stop() };
  };
}

export async function createNodeEngine(opts: NodeEngineOptions = {}): Promise<PhoneEngine> {
  const handsets = new Set<SystemHandset>();
  // The hub asks for devices as a call's audio starts, by then the engine is open.
  const ref: { engine?: PhoneEngine } = {};
  const settings = () => (ref.engine && !ref.engine.closed ? ref.engine.getSettings() : undefined);
  const audioHub = new CallAudioHub({ devices: systemDevices(settings, handsets, opts.systemAudio ?? {}) });
  const engine = await PhoneEngine.open({
    profileDir: opts.profileDir ?? defaultProfileDir(),
    createLine: nodeLineFactory({ ...opts, audio: opts.audio ?? ((call) => audioHub.callAudio(call.id)) }),
    audioHub,
    ringer: systemRinger(settings, opts.systemAudio ?? {}, opts.logger),
    listSystemAudioDevices: async () => {
      const list = await listAudioDevices(opts.systemAudio ?? {});
      const entry = (d: AudioDevice) => ({ id: d.id, name: d.description, isDefault: d.isDefault });
      return { backend: list.backend, inputs: list.inputs.map(entry), outputs: list.outputs.map(entry) };
    },
    logger: opts.logger,
    statsIntervalMs: opts.statsIntervalMs,
  });
  ref.engine = engine;
  engine.on('settings', (s) => {
    for (const h of handsets) h.setLevels(level(s['audio.inputLevel']), level(s['audio.outputLevel']));
  });
  return engine;
}
