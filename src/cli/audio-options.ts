/**
 * --play and --record: what a CLI call sends (a WAV file, `tone:HZ`, or silence) and where
 * what it hears is written (a WAV file, written when the call ends).
 */
import { basename, dirname, extname, join } from 'node:path';
import type { AudioFormat } from '../media/audio-frame.js';
import { WavRecorder } from '../media/audio-sink.js';
import { SilenceSource, ToneSource, WavFileSource } from '../media/audio-source.js';
import type { WavAudio } from '../media/wav.js';
import { readWavFile, writeWavFile } from '../media/wav-file-node.js';
import type { CallAudio } from '../phone/call.js';
import { CliError } from './errors.js';

export interface PlaySpec {
  make(format: AudioFormat): ToneSource | WavFileSource | SilenceSource;
  describe: string;
}

/** Parse --play up front so a bad file is reported before any call is made. */
export async function parsePlay(spec: string | undefined): Promise<PlaySpec> {
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

export function callAudio(play: PlaySpec, sink: ((f: AudioFormat) => WavRecorder) | undefined): CallAudio {
  return { source: (f) => play.make(f), ...(sink ? { sink } : {}) };
}
