/**
 * Node adapter: WAV sources and recordings from and to files. The only file in media/ that
 * touches the file system; everything else takes bytes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { AudioFormat } from './audio-frame.js';
import type { WavRecorder } from './audio-sink.js';
import { WavFileSource } from './audio-source.js';
import type { WavFileSourceOptions } from './audio-source.js';
import type { MediaResult } from './result.js';
import { parseWav } from './wav.js';
import type { WavAudio } from './wav.js';

async function readBytes(path: string): Promise<Uint8Array> {
  const buf = await readFile(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Read and parse a WAV file. File-system errors reject; a bad file is a failed result. */
export async function readWavFile(path: string): Promise<MediaResult<WavAudio>> {
  return parseWav(await readBytes(path));
}

/** A `WavFileSource` for the file at `path`, resampled to `format`. */
export async function openWavFileSource(path: string, format: AudioFormat, options?: WavFileSourceOptions): Promise<MediaResult<WavFileSource>> {
  return WavFileSource.fromBytes(await readBytes(path), format, options);
}

/** Write a recorder's audio to `path` as 16-bit PCM WAV, once all of it has arrived. */
export async function writeWavFile(path: string, recorder: WavRecorder): Promise<void> {
  await recorder.complete();
  await writeFile(path, recorder.toWav());
}
