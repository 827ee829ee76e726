/**
 * --play and --record: what a CLI call sends (a WAV file, `tone:HZ`, or silence) and where
 * what it hears is written (a WAV file, written when the call ends).
 *
 * --mic and --speaker: a system audio device instead of (or, for the speaker, as well as)
 * those: the microphone is what the call sends, the speaker plays what it hears. Devices are
 * checked before the call is placed, opened when its media starts, closed when it ends.
 */
import { basename, dirname, extname, join } from 'node:path';
import type { Command } from 'commander';
import type { AudioFormat, AudioSink, AudioSource } from '../media/audio-frame.js';
import { AudioDeviceError, checkLevel, MAX_LEVEL, openCapture, openPlayback, resolveAudioDevice } from '../main/node-audio.js';
import type { AudioDevice, DeviceCapture, DevicePlayback } from '../main/node-audio.js';
import { WavRecorder } from '../media/audio-sink.js';
import { SilenceSource, ToneSource, WavFileSource } from '../media/audio-source.js';
import type { WavAudio } from '../media/wav.js';
import { readWavFile, writeWavFile } from '../media/wav-file-node.js';
import type { CallAudio } from '../phone/call.js';
import { CliError } from './errors.js';

export interface PlaySpec {
  make(format: AudioFormat): AudioSource;
  describe: string;
}

/**
 * Parse --play up front so a bad file is reported before any call is made. With a --mic
 * (`devices.mic`), the microphone is what is sent.
 */
export async function parsePlay(spec: string | undefined, devices?: AudioDevices): Promise<PlaySpec> {
  if (devices?.mic) return { make: (f) => new SilenceSource(f), describe: `the microphone ${describeDevice(devices.mic)}` };
  if (spec === undefined) return { make: (f) => new SilenceSource(f), describe: 'silence' };
  if (spec.startsWith('tone:')) {
    const hz = ToneSource.parseSpec(spec);
    if (hz === undefined || !(hz > 0 && hz < 4000)) throw new CliError(`--play ${spec}: a tone is tone:HZ with 0 < HZ < 4000`);
    return { make: (f) => new ToneSource(f, { frequency: hz, amplitude: 0.3 }), describe: `a ${hz} Hz tone` };
  }
  let wav: WavAudio;
  try {
    const r = await readWavFile(spec);
    if (!r.ok) throw new CliError(`--play ${spec}: not a usable WAV file: ${r.error.message}`);
    wav = r.value;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`--play ${spec}: ${(err as Error).message}`);
  }
  return { make: (f) => new WavFileSource(wav, f, { loop: true }), describe: basename(spec) };
}

/** One recorder per call; the first call records to `path`, later ones to name-2.wav, ... */
export class Recordings {
  private count = 0;
  constructor(private readonly path: string | undefined) {}

  next(): { sink?: (f: AudioFormat) => WavRecorder; save: () => Promise<string | undefined> } {
    if (!this.path) return { save: async () => undefined };
    const n = ++this.count;
    const ext = extname(this.path) || '.wav';
    const file = n === 1 ? this.path : join(dirname(this.path), `${basename(this.path, ext)}-${n}${ext}`);
    let recorder: WavRecorder | undefined;
    return {
      sink: (f) => (recorder ??= new WavRecorder(f)),
      save: async () => {
        if (!recorder) return undefined;
        await writeWavFile(file, recorder);
        return file;
      },
    };
  }
}

/** A call's audio, and `close()` for the devices it opened (call it when the call has ended). */
export interface CliCallAudio extends CallAudio {
  close(): Promise<void>;
}

export function callAudio(play: PlaySpec, sink: ((f: AudioFormat) => WavRecorder) | undefined, devices?: AudioDevices): CliCallAudio {
  const opened: (DeviceCapture | DevicePlayback)[] = [];
  const report = (what: string) => (err: AudioDeviceError) => process.stderr.write(`${what}: ${err.message}\n`);
  const moved = (what: string) => (name: string) => process.stderr.write(`${what}: the sound server moved it to ${name}\n`);
  const mic = devices?.mic;
  const speaker = devices?.speaker;
  const source = mic
    ? (f: AudioFormat) => {
        const capture = openCapture(mic, f, { level: devices.micLevel, onError: report('microphone'), onMoved: moved('microphone') });
        opened.push(capture);
        return capture;
      }
    : (f: AudioFormat) => play.make(f);
  const deviceSink = speaker
    ? (f: AudioFormat) => {
        const playback = openPlayback(speaker, f, { level: devices.speakerLevel, onError: report('speaker'), onMoved: moved('speaker') });
        opened.push(playback);
        return playback;
      }
    : undefined;
  const both = sink && deviceSink ? (f: AudioFormat) => new TeeSink(f, [sink(f), deviceSink(f)]) : undefined;
  const chosen = both ?? deviceSink ?? sink;
  return {
    source,
    ...(chosen ? { sink: chosen } : {}),
    close: async () => {
      await Promise.all(opened.splice(0).map((d) => d.close()));
    },
  };
}

/** Hands each frame to several sinks (the speaker and a recording). */
class TeeSink implements AudioSink {
  constructor(
    readonly format: AudioFormat,
    private readonly sinks: AudioSink[],
  ) {}

  write(frame: Int16Array, timeMs: number): void {
    for (const s of this.sinks) s.write(frame, timeMs);
  }
}

// ─── system audio devices ─────────────────────────────────────────────────────────────────

export interface DeviceFlags {
  /** `--mic` alone: true (the default input); `--mic NAME`: that device. */
  mic?: string | boolean;
  speaker?: string | boolean;
  micLevel?: string;
  speakerLevel?: string;
  play?: string;
}

export interface AudioDevices {
  mic?: AudioDevice;
  speaker?: AudioDevice;
  micLevel: number;
  speakerLevel: number;
}

export function addDeviceOptions(cmd: Command): Command {
  return cmd
    .option('--mic [device]', 'send a microphone: the default input, or DEVICE (see `softphone devices`; alsa:NAME forces ALSA)')
    .option('--speaker [device]', 'play what you hear: the default output, or DEVICE (works with --record too)')
    .option('--mic-level <level>', `microphone level, 0 to ${MAX_LEVEL} (1 = unchanged)`)
    .option('--speaker-level <level>', `speaker level, 0 to ${MAX_LEVEL} (1 = unchanged)`);
}

function parseLevel(text: string | undefined, flag: string): number {
  if (text === undefined) return 1;
  try {
    return checkLevel(Number(text), flag);
  } catch {
    throw new CliError(`${flag} must be a number from 0 to ${MAX_LEVEL}, not "${text}"`);
  }
}

/**
 * Check --mic/--speaker up front: the devices must exist (a clear error listing the ones
 * there are, before any call is placed), and --mic replaces --play.
 */
export async function parseDevices(flags: DeviceFlags): Promise<AudioDevices> {
  const micLevel = parseLevel(flags.micLevel, '--mic-level');
  const speakerLevel = parseLevel(flags.speakerLevel, '--speaker-level');
  if (flags.mic !== undefined && flags.mic !== false && flags.play !== undefined) throw new CliError('--mic and --play both say what to send: give one');
  const resolve = async (value: string | boolean | undefined, direction: 'input' | 'output', flag: string): Promise<AudioDevice | undefined> => {
    if (value === undefined || value === false) return undefined;
    try {
      return await resolveAudioDevice(value === true ? undefined : value, direction);
    } catch (err) {
      if (err instanceof AudioDeviceError) throw new CliError(`${flag}: ${err.message}`);
      throw err;
    }
  };
  const mic = await resolve(flags.mic, 'input', '--mic');
  const speaker = await resolve(flags.speaker, 'output', '--speaker');
  return { ...(mic ? { mic } : {}), ...(speaker ? { speaker } : {}), micLevel, speakerLevel };
}

export function describeDevice(d: AudioDevice): string {
  const backend = d.backend === 'pulse' ? 'PulseAudio' : 'ALSA';
  return d.description && d.description !== d.id ? `${d.id} (${d.description}, ${backend})` : `${d.id} (${backend})`;
}
