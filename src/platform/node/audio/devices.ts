/**
 * System audio for the engine and the CLI: list the inputs and outputs, open one as an
 * `AudioSource` (capture) or `AudioSink` (playback) for a call's frame format.
 *
 * The backend is PulseAudio when a server answers `pactl info` (PipeWire desktops answer too,
 * through pipewire-pulse), else ALSA. A device is named as the backend names it, optionally
 * prefixed to force a backend: `t1.monitor`, `pulse:alsa_output.pci-0000_00_1f.3.analog-stereo`,
 * `alsa:plughw:CARD=Headset,DEV=0`; `default` (or nothing) is the system default.
 *
 *   const mic = await resolveAudioDevice('t1.monitor', 'input');   // checks that it exists
 *   const source = openCapture(mic, audioFormat(8000), { level: 0.8 });
 *   await source.ready;                                             // the device is open
 *   ...
 *   await source.close();
 */
import { spawnSync } from 'node:child_process';
import type { AudioFormat } from '../../../media/audio-frame.js';
import type { AudioBackend, AudioBackendName, AudioDevice, AudioDeviceList, AudioDirection } from './audio-backend.js';
import { AudioDeviceError } from './audio-device-error.js';
import { alsaBackend } from './alsa.js';
import { DeviceCapture } from './device-capture.js';
import { DevicePlayback } from './device-playback.js';
import { pulseBackend } from './pulse.js';
import { toolEnv } from './run-tool.js';

export const AUDIO_BACKENDS: Record<AudioBackendName, AudioBackend> = { pulse: pulseBackend, alsa: alsaBackend };

export interface AudioSystemOptions {
  /** Use this backend instead of detecting one. */
  backend?: AudioBackendName;
  /** Environment for the tools (PULSE_SERVER, ALSA_CONFIG_PATH ...); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface OpenAudioOptions extends AudioSystemOptions {
  /** Software level 0..1.5; default 1. */
  level?: number;
  /** Buffer asked of the device, ms. Default 20 for capture, 40 for playback. */
  latencyMs?: number;
  /** Capture: most audio kept waiting for the media clock; default 200 ms. */
  maxBufferMs?: number;
  /** Playback: most audio queued for a stalled device before frames are dropped; default 200 ms. */
  maxQueueMs?: number;
  /**
   * Run the device at this rate and resample in the engine. Default: the call's rate (the sound
   * server or ALSA's plug layer converts), except 48000 for ALSA `hw:` devices, which rarely
   * take 8 kHz.
   */
  deviceRate?: number;
  /** The stream's name in the sound server's mixer. */
  streamName?: string;
  /** The device failed (could not open, or stopped later). The source/sink then gives or takes silence. */
  onError?: (err: AudioDeviceError) => void;
  /**
   * The sound server moved the stream to device `name` (PulseAudio and PipeWire move a stream
   * whose device went away, say a headset unplugged, to the default one; the call goes on there).
   */
  onMoved?: (name: string) => void;
}

export interface DeviceSpec {
  backend?: AudioBackendName;
  /** The backend's device name; undefined for the default. */
  id?: string;
}

/** `pulse:NAME`, `alsa:NAME`, `NAME`, `default` or nothing (the default device). */
export function parseDeviceSpec(text: string | undefined): DeviceSpec {
  const t = (text ?? '').trim();
  const m = /^(pulse|pipewire|alsa):(.*)$/i.exec(t);
  const backend = m ? (m[1]!.toLowerCase() === 'alsa' ? 'alsa' : 'pulse') : undefined;
  const id = (m ? m[2]! : t).trim();
  return { ...(backend ? { backend } : {}), ...(id && id !== 'default' ? { id } : {}) };
}

let detected: AudioBackendName | undefined;

/** PulseAudio when a server answers, else ALSA when its tools run; remembered for `open*`. */
export async function detectAudioBackend(opts: AudioSystemOptions = {}): Promise<AudioBackend> {
  if (opts.backend) return AUDIO_BACKENDS[opts.backend];
  const env = opts.env ?? process.env;
  for (const backend of [pulseBackend, alsaBackend]) {
    if (await backend.probe(env)) {
      if (!opts.env) detected = backend.name;
      return backend;
    }
  }
  throw new AudioDeviceError('audio-no-backend', 'no sound system here: no PulseAudio/PipeWire server answers `pactl info`, and ALSA\'s arecord/aplay do not run (Debian: apt-get install pulseaudio-utils alsa-utils)');
}

/** Synchronous fallback for `open*` without a backend: one `pactl info`, remembered. */
function backendFor(spec: DeviceSpec, opts: AudioSystemOptions): AudioBackend {
  const name = spec.backend ?? opts.backend ?? (opts.env ? undefined : detected);
  if (name) return AUDIO_BACKENDS[name];
  const r = spawnSync('pactl', ['info'], { env: toolEnv(opts.env ?? process.env), timeout: 2000, stdio: 'ignore' });
  const found: AudioBackendName = r.status === 0 ? 'pulse' : 'alsa';
  if (!opts.env) detected = found;
  return AUDIO_BACKENDS[found];
}

/** Every input and output of the backend in use (or the one asked for). */
export async function listAudioDevices(opts: AudioSystemOptions = {}): Promise<AudioDeviceList> {
  const backend = await detectAudioBackend(opts);
  return backend.list(opts.env ?? process.env);
}

/**
 * The device `spec` names (see `parseDeviceSpec`), checked against the backend's list: a clear
 * `audio-device-not-found` error naming the devices there are when it does not exist. The
 * default device resolves without a check (ALSA's `default` is not always listed as such), and
 * so does an ALSA name the list does not have (the tool checks it when it opens).
 */
export async function resolveAudioDevice(spec: string | undefined, direction: AudioDirection, opts: AudioSystemOptions = {}): Promise<AudioDevice> {
  const parsed = parseDeviceSpec(spec);
  const backend = await detectAudioBackend({ ...opts, ...(parsed.backend ? { backend: parsed.backend } : {}) });
  const list = await backend.list(opts.env ?? process.env);
  const devices = direction === 'input' ? list.inputs : list.outputs;
  if (parsed.id === undefined) {
    return devices.find((d) => d.isDefault) ?? { id: 'default', description: `the ${backend.label} default`, direction, backend: backend.name, isDefault: true };
  }
  const found = devices.find((d) => d.id === parsed.id);
  if (found) return found;
  // ALSA's list is not the whole namespace: `hw:1,0` and `plughw:1,0` (how most people name a
  // card) are listed only as `hw:CARD=…,DEV=…`, and a PCM defined in ~/.asoundrc without a
  // hint is not listed at all. Such a name is opened as given; arecord/aplay say when it does
  // not exist, and that becomes the same not-found error (alsa.ts).
  if (backend.name === 'alsa') return { id: parsed.id, description: `the ALSA PCM "${parsed.id}" (not listed by ALSA)`, direction, backend: 'alsa', isDefault: false };
  const what = direction === 'input' ? 'input' : 'output';
  const names = devices.map((d) => d.id).join(', ') || 'none';
  const hint = direction === 'input' && list.outputs.some((d) => d.id === parsed.id) ? ` ("${parsed.id}" is an output; its monitor "${parsed.id}.monitor" captures what it plays)` : '';
  throw new AudioDeviceError('audio-device-not-found', `no ${backend.label} ${what} named "${parsed.id}"${hint}; ${what}s: ${names}`);
}

function target(device: AudioDevice | string | undefined, opts: AudioSystemOptions): { backend: AudioBackend; id: string | undefined } {
  if (typeof device === 'object') return { backend: AUDIO_BACKENDS[device.backend], id: device.id === 'default' && device.backend === 'pulse' ? undefined : device.id };
  const spec = parseDeviceSpec(device);
  return { backend: backendFor(spec, opts), id: spec.id };
}

function deviceRateFor(backend: AudioBackend, id: string | undefined, format: AudioFormat, opts: OpenAudioOptions): number {
  if (opts.deviceRate !== undefined) return opts.deviceRate;
  return backend.name === 'alsa' && id?.startsWith('hw:') ? 48000 : format.sampleRate;
}

/**
 * Open a capture device as the `AudioSource` of a call with `format`. Returns at once; the
 * device tool starts in the background (`ready` says when it is open or why it is not), and
 * reads give silence until audio flows.
 */
export function openCapture(device: AudioDevice | string | undefined, format: AudioFormat, opts: OpenAudioOptions = {}): DeviceCapture {
  const { backend, id } = target(device, opts);
  return new DeviceCapture({
    backend,
    device: id,
    format,
    params: { latencyMs: opts.latencyMs ?? 20, streamName: opts.streamName ?? 'softphone microphone' },
    deviceRate: deviceRateFor(backend, id, format, opts),
    level: opts.level ?? 1,
    maxBufferMs: opts.maxBufferMs ?? 200,
    env: opts.env ?? process.env,
    ...(opts.onError ? { onError: opts.onError } : {}),
    ...(opts.onMoved ? { onMoved: opts.onMoved } : {}),
  });
}

/** Open a playback device as the `AudioSink` of a call with `format` (see `openCapture`). */
export function openPlayback(device: AudioDevice | string | undefined, format: AudioFormat, opts: OpenAudioOptions = {}): DevicePlayback {
  const { backend, id } = target(device, opts);
  return new DevicePlayback({
    backend,
    device: id,
    format,
    params: { latencyMs: opts.latencyMs ?? 40, streamName: opts.streamName ?? 'softphone call' },
    deviceRate: deviceRateFor(backend, id, format, opts),
    level: opts.level ?? 1,
    maxQueueMs: opts.maxQueueMs ?? 200,
    env: opts.env ?? process.env,
    ...(opts.onError ? { onError: opts.onError } : {}),
    ...(opts.onMoved ? { onMoved: opts.onMoved } : {}),
  });
}
