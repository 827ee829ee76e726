// System audio against a real PulseAudio server started for this file (test/support/pulseaudio.ts):
// null sinks t1 and t2 stand in for sound cards, and a sink's monitor source captures what it
// plays. A tone played into t1 through openPlayback comes back through openCapture on
// t1.monitor, paced by a 20 ms clock like the media clock's; it is judged by its dominant
// frequency (within 2 %) and by how much of the time it covers. The ALSA backend is driven
// through ALSA's pulse plugin into the same server (no sound card here).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { audioFormat, createFrame } from '../../../media/audio-frame.js';
import type { AudioFormat, AudioSink, AudioSource } from '../../../media/audio-frame.js';
import { SilenceSource, ToneSource } from '../../../media/audio-source.js';
import { activeCoverage, dominantFrequency, goertzel } from '../../../media/tone-analysis.js';
import { skipUnless } from '../../../../test/support/peers.js';
import { startPulseAudio } from '../../../../test/support/pulseaudio.js';
import type { PulseAudio } from '../../../../test/support/pulseaudio.js';
import { AudioDeviceError } from './audio-device-error.js';
import type { DeviceCapture } from './device-capture.js';
import type { DevicePlayback } from './device-playback.js';
import { listAudioDevices, openCapture, openPlayback, parseDeviceSpec, resolveAudioDevice } from './devices.js';

const skip = skipUnless('pulseaudio');
const F8 = audioFormat(8000);
/** RMS (sample units) a 20 ms window needs to count as carrying the tone (~ -30 dBFS). */
const SIGNAL_RMS = 1000;

let pa: PulseAudio;
before(async () => {
  if (!skip) pa = await startPulseAudio({ sinks: ['t1', 't2'] });
});
after(async () => {
  await pa?.stop();
});

interface LoopResult {
  captured: Int16Array;
  /** Ms from the tone's first frame written to its first sample read back; undefined if never. */
  latencyMs: number | undefined;
}

/**
 * Drive `source` → `sink` and read `capture`, one frame per 20 ms on the wall clock (a 10 ms
 * timer catching up what is due, as the media clock does), for `ms`. `toneFromMs` of silence
 * are written first so both streams are steady when the tone starts.
 */
async function runLoop(format: AudioFormat, o: { sink?: AudioSink; tone?: AudioSource; capture?: AudioSource; ms: number; toneFromMs?: number }): Promise<LoopResult> {
  const frames = o.ms / format.frameMs;
  const toneFrom = (o.toneFromMs ?? 0) / format.frameMs;
  const silence = new SilenceSource(format);
  const out = createFrame(format);
  const inp = createFrame(format);
  const captured = new Int16Array(frames * out.length);
  let n = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(frames, Math.floor((performance.now() - t0) / format.frameMs) + 1);
      for (; n < due; n++) {
        (n >= toneFrom && o.tone ? o.tone : silence).read(out);
        o.sink?.write(out, n * format.frameMs);
        if (o.capture) {
          o.capture.read(inp);
          captured.set(inp, n * inp.length);
        }
      }
      if (n >= frames) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  const first = captured.findIndex((v, i) => i >= toneFrom * out.length && Math.abs(v) > SIGNAL_RMS);
  return { captured, latencyMs: first < 0 ? undefined : (first * 1000) / format.sampleRate - (o.toneFromMs ?? 0) };
}

/** The tone part of a loop's capture, from its first audible sample on, minus `tailMs`. */
function toneSpan(r: LoopResult, format: AudioFormat, toneFromMs: number, tailMs = 0): Int16Array {
  const start = Math.round(((toneFromMs + (r.latencyMs ?? 0)) * format.sampleRate) / 1000);
  return r.captured.subarray(start, r.captured.length - Math.round((tailMs * format.sampleRate) / 1000));
}

/**
 * Run silence through until the capture flows, then `settleMs` more. A null sink that was idle
 * renders in blocks of up to 2 s (its maximum latency) until a stream asks for less, so the
 * first second or two of a fresh stream are a start-up transient, not the steady state.
 */
async function warmUp(format: AudioFormat, sink: AudioSink | undefined, mic: DeviceCapture, settleMs = 1000): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!mic.flowing && Date.now() < deadline) await runLoop(format, { ...(sink ? { sink } : {}), capture: mic, ms: 200 });
  assert.ok(mic.flowing, 'the capture started within 5 s');
  await runLoop(format, { ...(sink ? { sink } : {}), capture: mic, ms: settleMs });
}

async function closeAll(...devices: (DeviceCapture | DevicePlayback | undefined)[]): Promise<void> {
  await Promise.all(devices.map((d) => d?.close()));
}

test('device specs: backend prefixes, default, names with colons', () => {
  assert.deepEqual(parseDeviceSpec(undefined), {});
  assert.deepEqual(parseDeviceSpec('default'), {});
  assert.deepEqual(parseDeviceSpec('t1.monitor'), { id: 't1.monitor' });
  assert.deepEqual(parseDeviceSpec('pulse:t1'), { backend: 'pulse', id: 't1' });
  assert.deepEqual(parseDeviceSpec('pipewire:t1'), { backend: 'pulse', id: 't1' });
  assert.deepEqual(parseDeviceSpec('alsa:plughw:CARD=PCH,DEV=0'), { backend: 'alsa', id: 'plughw:CARD=PCH,DEV=0' });
  assert.deepEqual(parseDeviceSpec('alsa:default'), { backend: 'alsa' });
});

test('listing: the null sinks are outputs, their monitors inputs, t1 the default', { skip }, async () => {
  const list = await listAudioDevices({ env: pa.env });
  assert.equal(list.backend, 'pulse');
  assert.deepEqual(
    list.outputs.map((d) => [d.id, d.description, d.isDefault]),
    [
      ['t1', 'Test-t1', true],
      ['t2', 'Test-t2', false],
    ],
  );
  assert.deepEqual(
    list.inputs.map((d) => [d.id, d.monitor, d.isDefault]),
    [
      ['t1.monitor', true, true],
      ['t2.monitor', true, false],
    ],
  );
  const mic = await resolveAudioDevice(undefined, 'input', { env: pa.env });
  assert.equal(mic.id, 't1.monitor');
});

test('a 440 Hz tone played into t1 comes back from t1.monitor: frequency within 2 %, most of the time covered', { skip }, async (t) => {
  const speaker = openPlayback('t1', F8, { env: pa.env });
  const mic = openCapture('t1.monitor', F8, { env: pa.env });
  t.after(() => closeAll(speaker, mic));
  await Promise.all([speaker.ready, mic.ready]);
  await warmUp(F8, speaker, mic);
  const toneFromMs = 1000;
  const r = await runLoop(F8, { sink: speaker, capture: mic, tone: new ToneSource(F8, { frequency: 440, amplitude: 0.3 }), ms: 4000, toneFromMs });
  assert.ok(r.latencyMs !== undefined, 'the tone came back');
  const span = toneSpan(r, F8, toneFromMs);
  const hz = dominantFrequency(span, 8000)!;
  const cov = activeCoverage(span, 8000, SIGNAL_RMS);
  t.diagnostic(`440 Hz → ${hz.toFixed(2)} Hz; coverage ${(cov.coverage * 100).toFixed(1)} % (longest gap ${cov.longestGapMs} ms); playback→capture latency ${r.latencyMs!.toFixed(1)} ms`);
  t.diagnostic(`capture ${JSON.stringify(mic.stats())}; playback ${JSON.stringify(speaker.stats())}`);
  assert.ok(Math.abs(hz - 440) / 440 < 0.02, `dominant ${hz} Hz`);
  assert.ok(cov.coverage >= 0.9, `coverage ${cov.coverage}`);
  assert.ok(r.latencyMs! < 400, `latency ${r.latencyMs} ms`);
  // Before the tone: silence from the null sink, i.e. no noise of our own.
  const lead = r.captured.subarray(0, 8000 * 0.9);
  assert.equal(activeCoverage(lead, 8000, SIGNAL_RMS).coverage, 0);
});

test('the device can run at 48 kHz with the engine resampling to and from the call rate', { skip }, async (t) => {
  const speaker = openPlayback('t2', F8, { env: pa.env, deviceRate: 48000 });
  const mic = openCapture('t2.monitor', F8, { env: pa.env, deviceRate: 48000 });
  t.after(() => closeAll(speaker, mic));
  await Promise.all([speaker.ready, mic.ready]);
  await warmUp(F8, speaker, mic, 500);
  const r = await runLoop(F8, { sink: speaker, capture: mic, tone: new ToneSource(F8, { frequency: 1000, amplitude: 0.3 }), ms: 3000, toneFromMs: 500 });
  const span = toneSpan(r, F8, 500);
  const hz = dominantFrequency(span, 8000)!;
  const cov = activeCoverage(span, 8000, SIGNAL_RMS);
  t.diagnostic(`1000 Hz via 48 kHz devices → ${hz.toFixed(2)} Hz, coverage ${(cov.coverage * 100).toFixed(1)} %, latency ${r.latencyMs?.toFixed(1)} ms`);
  assert.ok(Math.abs(hz - 1000) / 1000 < 0.02, `dominant ${hz} Hz`);
  assert.ok(cov.coverage >= 0.9, `coverage ${cov.coverage}`);
});

test('levels: input level 0.5 halves the tone, output level 0 silences it; bad levels are refused', { skip }, async (t) => {
  const speaker = openPlayback('t1', F8, { env: pa.env });
  const mic = openCapture('t1.monitor', F8, { env: pa.env, level: 0.5 });
  t.after(() => closeAll(speaker, mic));
  await Promise.all([speaker.ready, mic.ready]);
  await warmUp(F8, speaker, mic, 500);
  const r = await runLoop(F8, { sink: speaker, capture: mic, tone: new ToneSource(F8, { frequency: 440, amplitude: 0.3 }), ms: 2500, toneFromMs: 500 });
  assert.ok(r.latencyMs !== undefined, 'the tone came back');
  // The median over 100 ms windows of the tone: robust to a dropped or trimmed frame.
  const span = toneSpan(r, F8, 500);
  const amps: number[] = [];
  for (let i = 0; i + 800 <= span.length; i += 800) amps.push(goertzel(span, 8000, 440, i, 800));
  const amp = amps.sort((a, b) => a - b)[amps.length >> 1]!;
  t.diagnostic(`tone amplitude ${(0.3 * 32767).toFixed(0)} sent, ${amp.toFixed(0)} captured at input level 0.5`);
  assert.ok(Math.abs(amp / (0.3 * 32767 * 0.5) - 1) < 0.1, `amplitude ${amp}`);

  speaker.level = 0;
  mic.level = 1;
  const quiet = await runLoop(F8, { sink: speaker, capture: mic, tone: new ToneSource(F8, { frequency: 440, amplitude: 0.3 }), ms: 1600 });
  // After what was already on its way (the backlog, a few hundred ms at most): silence.
  const rest = activeCoverage(quiet.captured.subarray(8000 * 0.6), 8000, SIGNAL_RMS);
  assert.equal(rest.coverage, 0, JSON.stringify(rest));
  assert.throws(() => (mic.level = 2), (e: unknown) => e instanceof AudioDeviceError && e.code === 'audio-bad-option');
});

test('a missing device is a clear error: before opening (with the list) and from the tool', { skip }, async () => {
  await assert.rejects(resolveAudioDevice('nosuch', 'input', { env: pa.env }), (e: unknown) => e instanceof AudioDeviceError && e.code === 'audio-device-not-found' && /no PulseAudio input named "nosuch"; inputs: t1\.monitor, t2\.monitor/.test(e.message));
  await assert.rejects(resolveAudioDevice('t1', 'input', { env: pa.env }), /"t1" is an output; its monitor "t1\.monitor" captures what it plays/);
  await assert.rejects(resolveAudioDevice('t9', 'output', { env: pa.env }), /no PulseAudio output named "t9"; outputs: t1, t2/);
  const errors: AudioDeviceError[] = [];
  const mic = openCapture('nosuch', F8, { env: pa.env, onError: (e) => errors.push(e) });
  const speaker = openPlayback('nosuch', F8, { env: pa.env, onError: (e) => errors.push(e) });
  await assert.rejects(mic.ready, (e: unknown) => e instanceof AudioDeviceError && e.code === 'audio-device-not-found' && /no PulseAudio source named "nosuch"/.test(e.message));
  await assert.rejects(speaker.ready, (e: unknown) => e instanceof AudioDeviceError && e.code === 'audio-device-not-found' && /no PulseAudio sink named "nosuch"/.test(e.message));
  assert.equal(errors.length, 2);
  // A failed device reads as silence and takes frames without complaint: the call goes on.
  const frame = createFrame(F8).fill(5);
  assert.equal(mic.read(frame), true);
  assert.ok(frame.every((v) => v === 0));
  speaker.write(frame, 0);
  assert.equal(speaker.stats().dropped, 1);
  await closeAll(mic, speaker);
});

test('a stalled device never blocks the clock: capture underruns give silence, playback drops past its queue bound', { skip }, async (t) => {
  const speaker = openPlayback('t1', F8, { env: pa.env, maxQueueMs: 200 });
  const mic = openCapture('t1.monitor', F8, { env: pa.env });
  t.after(async () => {
    // SIGCONT the tools we stopped (our own children) before closing them.
    for (const pid of [speaker.pid, mic.pid]) if (pid) process.kill(pid, 'SIGCONT');
    await closeAll(speaker, mic);
  });
  await Promise.all([speaker.ready, mic.ready]);
  await warmUp(F8, speaker, mic, 200);
  process.kill(mic.pid!, 'SIGSTOP');
  process.kill(speaker.pid!, 'SIGSTOP');
  await new Promise((r) => setTimeout(r, 100)); // what was in flight arrives
  const tone = new ToneSource(F8, { frequency: 440, amplitude: 0.3 });
  const frame = createFrame(F8);
  const underrunsBefore = mic.stats().underruns;
  mic.read(frame); // drain whatever arrived before the stop: up to the ring's bound
  for (let i = 0; i < 20; i++) mic.read(frame);
  const started = performance.now();
  for (let i = 0; i < 500; i++) {
    // 10 s of audio at once: far more than the pipe and the queue hold.
    tone.read(frame);
    speaker.write(frame, i * 20);
    mic.read(frame);
  }
  const tookMs = performance.now() - started;
  const cap = mic.stats();
  const play = speaker.stats();
  t.diagnostic(`500 frames each way against stopped tools in ${tookMs.toFixed(1)} ms; capture ${JSON.stringify(cap)}; playback ${JSON.stringify(play)}`);
  assert.ok(tookMs < 200, `the clock was held up ${tookMs} ms`);
  assert.ok(cap.underruns - underrunsBefore >= 500, `underruns ${cap.underruns - underrunsBefore}`);
  assert.ok(frame.every((v) => v === 0), 'an underrun reads as silence');
  assert.ok(play.dropped > 0, 'frames past the queue bound are dropped');
  assert.ok(play.backlogMs <= 200, `backlog ${play.backlogMs} ms`);
});

test('a device that goes away: PulseAudio moves the stream to the default; a tool that dies is reported once, then silence', { skip }, async (t) => {
  const moduleId = (await pa.pactl('load-module', 'module-null-sink', 'sink_name=t3')).trim();
  const errors: AudioDeviceError[] = [];
  const mic = openCapture('t3.monitor', F8, { env: pa.env, onError: (e) => errors.push(e) });
  t.after(() => mic.close());
  await mic.ready;
  // Unloading the sink does not end parec: the server rescues the stream onto the default
  // source (pulseaudio 16.1 behaviour), and audio goes on flowing.
  await pa.pactl('unload-module', moduleId);
  const readsBefore = mic.stats().framesRead;
  await runLoop(F8, { capture: mic, ms: 600 });
  assert.equal(errors.length, 0);
  assert.ok(mic.stats().framesRead > readsBefore);
  assert.ok((await pa.pactl('list', 'short', 'source-outputs')).includes('\t'), 'the stream is still there');
  // The tool itself dying (our own child, by its PID) is a failure, reported once.
  process.kill(mic.pid!, 'SIGKILL');
  const deadline = Date.now() + 5000;
  while (!errors.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.diagnostic(errors.map((e) => `${e.code}: ${e.message}`).join(' | '));
  assert.equal(errors.length, 1);
  assert.equal(errors[0]!.code, 'audio-device-failed');
  assert.match(errors[0]!.message, /^parec was killed by SIGKILL$/);
  assert.equal(mic.error, errors[0]);
  const frame = createFrame(F8).fill(3);
  assert.equal(mic.read(frame), true);
  assert.ok(frame.every((v) => v === 0));
});

test('ALSA backend (arecord/aplay through ALSA\'s pulse plugin): the tone goes out and comes back', { skip }, async (t) => {
  const alsa = await listAudioDevices({ env: pa.env, backend: 'alsa' });
  assert.ok(alsa.outputs.some((d) => d.id === 'default') && alsa.inputs.some((d) => d.id === 'default'), JSON.stringify(alsa));
  // ALSA "default" → the server's default sink t1; its default source is t1.monitor.
  const speaker = openPlayback('alsa:default', F8, { env: pa.env });
  const mic = openCapture('alsa:default', F8, { env: pa.env });
  t.after(() => closeAll(speaker, mic));
  await Promise.all([speaker.ready, mic.ready]);
  await warmUp(F8, speaker, mic);
  const r = await runLoop(F8, { sink: speaker, capture: mic, tone: new ToneSource(F8, { frequency: 440, amplitude: 0.3 }), ms: 3000, toneFromMs: 1000 });
  assert.ok(r.latencyMs !== undefined, 'the tone came back through ALSA');
  const span = toneSpan(r, F8, 1000);
  const hz = dominantFrequency(span, 8000)!;
  const cov = activeCoverage(span, 8000, SIGNAL_RMS);
  t.diagnostic(`ALSA: 440 Hz → ${hz.toFixed(2)} Hz, coverage ${(cov.coverage * 100).toFixed(1)} % (gap ${cov.longestGapMs} ms), latency ${r.latencyMs!.toFixed(1)} ms; capture ${JSON.stringify(mic.stats())}`);
  assert.ok(Math.abs(hz - 440) / 440 < 0.02, `dominant ${hz} Hz`);
  assert.ok(cov.coverage >= 0.9, `coverage ${cov.coverage}`);

  // Names ALSA does not list are opened as given (hw:1,0 is listed only as hw:CARD=…,DEV=…);
  // the tool says whether they exist.
  assert.deepEqual(await resolveAudioDevice('alsa:plughw:7,0', 'input', { env: pa.env }), { id: 'plughw:7,0', description: 'the ALSA PCM "plughw:7,0" (not listed by ALSA)', direction: 'input', backend: 'alsa', isDefault: false });
  const missing = openCapture('alsa:nosuch', F8, { env: pa.env });
  await assert.rejects(missing.ready, (e: unknown) => e instanceof AudioDeviceError && e.code === 'audio-device-not-found' && /no ALSA capture device named "nosuch"/.test(e.message));
  await missing.close();
});
