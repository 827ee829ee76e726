import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audioFormat, createFrame } from './audio-frame.js';
import { WavRecorder } from './audio-sink.js';
import { openWavFileSource, readWavFile, writeWavFile } from './wav-file-node.js';

test('wav-file-node: a recording written to disk reads back as a source', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'softphone-wav-'));
  try {
    const f = audioFormat(16000);
    const rec = new WavRecorder(f);
    rec.write(createFrame(f).fill(1234), 0);
    const path = join(dir, 'a.wav');
    await writeWavFile(path, rec);
    const wav = await readWavFile(path);
    assert.ok(wav.ok);
    assert.equal(wav.value.sampleRate, 16000);
    const src = await openWavFileSource(path, audioFormat(8000));
    assert.ok(src.ok);
    assert.equal(src.value.samples.length, 160);
    await writeFile(join(dir, 'bad.wav'), 'not a wav file');
    const bad = await readWavFile(join(dir, 'bad.wav'));
    assert.ok(!bad.ok && bad.error.code === 'wav-not-riff');
    await assert.rejects(readWavFile(join(dir, 'missing.wav')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
