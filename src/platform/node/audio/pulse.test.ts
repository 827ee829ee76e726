// Parsers of pactl's output. The JSON sample is trimmed from `pactl -f json list sources` of
// pulseaudio 16.1 (Debian) with a null sink t1 loaded; the short and info samples have the
// shape pactl 16.1 prints (tab-separated columns), with a laptop's device names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alsaBackend } from './alsa.js';
import { lastLines, parsePactlInfo, parsePactlJson, parsePactlShort, pulseBackend } from './pulse.js';

const INFO = `Server String: /run/user/1000/pulse/native
Library Protocol Version: 35
Server Name: PulseAudio (on PipeWire 0.3.65)
Default Sample Specification: float32le 2ch 48000Hz
Default Sink: alsa_output.pci-0000_00_1f.3.analog-stereo
Default Source: alsa_input.pci-0000_00_1f.3.analog-stereo
Cookie: 5b94:1596
`;

const SHORT_SOURCES = [
  '55\talsa_output.pci-0000_00_1f.3.analog-stereo.monitor\tPipeWire\ts32le 2ch 48000Hz\tSUSPENDED',
  '56\talsa_input.pci-0000_00_1f.3.analog-stereo\tPipeWire\ts32le 2ch 48000Hz\tSUSPENDED',
  '',
].join('\n');

const JSON_SOURCES = JSON.stringify([
  {
    index: 0,
    state: 'IDLE',
    name: 't1.monitor',
    description: 'Monitor of TestSink1',
    driver: 'module-null-sink.c',
    sample_specification: 's16le 2ch 48000Hz',
    monitor_source: 't1',
    properties: { 'device.description': 'Monitor of TestSink1', 'device.class': 'monitor' },
  },
  { index: 1, name: 'alsa_input.usb-Jabra_Evolve_20-00.mono-fallback', description: 'Jabra EVOLVE 20 Mono', properties: { 'device.class': 'sound' } },
]);

test('pactl info: the default sink and source', () => {
  assert.deepEqual(parsePactlInfo(INFO), { sink: 'alsa_output.pci-0000_00_1f.3.analog-stereo', source: 'alsa_input.pci-0000_00_1f.3.analog-stereo' });
  assert.deepEqual(parsePactlInfo('Server Name: x\n'), {});
});

test('pactl list short: names, monitors told by their .monitor suffix, the default marked', () => {
  const inputs = parsePactlShort(SHORT_SOURCES, 'input', 'alsa_input.pci-0000_00_1f.3.analog-stereo');
  assert.deepEqual(
    inputs.map((d) => [d.id, d.monitor, d.isDefault]),
    [
      ['alsa_output.pci-0000_00_1f.3.analog-stereo.monitor', true, false],
      ['alsa_input.pci-0000_00_1f.3.analog-stereo', false, true],
    ],
  );
  assert.equal(inputs[0]!.description, 'Monitor of alsa_output.pci-0000_00_1f.3.analog-stereo');
  const outputs = parsePactlShort('3\tt1\tmodule-null-sink.c\ts16le 2ch 44100Hz\tIDLE\n', 'output', 't1');
  assert.deepEqual(outputs, [{ id: 't1', description: 't1', direction: 'output', backend: 'pulse', isDefault: true }]);
});

test('pactl -f json list: descriptions, monitors by device.class; not JSON gives undefined (older pactl)', () => {
  const inputs = parsePactlJson(JSON_SOURCES, 'input', 't1.monitor')!;
  assert.deepEqual(
    inputs.map((d) => [d.id, d.description, d.monitor, d.isDefault]),
    [
      ['t1.monitor', 'Monitor of TestSink1', true, true],
      ['alsa_input.usb-Jabra_Evolve_20-00.mono-fallback', 'Jabra EVOLVE 20 Mono', false, false],
    ],
  );
  assert.equal(parsePactlJson('Failed to set format: invalid format type "json"', 'input'), undefined);
  assert.equal(parsePactlJson('{"not":"a list"}', 'input'), undefined);
});

test('pulse: parec/pacat command lines ask for raw s16le mono at the rate, small latency, the phone role', () => {
  const params = { rate: 8000, latencyMs: 20, streamName: 'softphone microphone' };
  const rec = pulseBackend.captureCommand('t1.monitor', params);
  assert.equal(rec.command, 'parec');
  for (const a of ['--raw', '--format=s16le', '--channels=1', '--rate=8000', '--latency-msec=20', '--device=t1.monitor', '--property=media.role=phone']) assert.ok(rec.args.includes(a), a);
  const play = pulseBackend.playbackCommand(undefined, { ...params, rate: 16000 });
  assert.equal(play.command, 'pacat');
  assert.ok(play.args.includes('--playback') && play.args.includes('--rate=16000'));
  assert.ok(!play.args.some((a) => a.startsWith('--device')), 'the default device is the server default');
});

test('pulse: tool failures become clear errors by kind', () => {
  const missing = pulseBackend.failure('input', 'nosuch', 'Stream error: No such entity\n', 1);
  assert.equal(missing.code, 'audio-device-not-found');
  assert.match(missing.message, /no PulseAudio source named "nosuch"/);
  const down = pulseBackend.failure('output', 't1', 'Connection failure: Connection refused\npa_context_connect() failed: Connection refused\n', 1);
  assert.equal(down.code, 'audio-no-backend');
  const other = pulseBackend.failure('output', 't1', 'Opening a playback stream with sample specification...\nStream error: Invalid argument\n', 1);
  assert.equal(other.code, 'audio-device-failed');
  assert.match(other.message, /Invalid argument/);
  assert.equal(lastLines('Stream successfully created.\nTime: 1.000 sec; Latency: 2 usec.        \rStream moved to device t1.monitor.\x1b[K\nreal problem\n'), 'real problem');
});

test('alsa: arecord/aplay command lines (raw S16_LE mono, buffer and period in µs)', () => {
  const rec = alsaBackend.captureCommand('plughw:CARD=Headset,DEV=0', { rate: 8000, latencyMs: 40, streamName: 'x' });
  assert.equal(rec.command, 'arecord');
  assert.deepEqual(rec.args, ['--device=plughw:CARD=Headset,DEV=0', '--file-type=raw', '--format=S16_LE', '--channels=1', '--rate=8000', '--buffer-time=40000', '--period-time=10000']);
  assert.equal(alsaBackend.playbackCommand(undefined, { rate: 48000, latencyMs: 40, streamName: 'x' }).args[0], '--device=default');
});

test('pacat progress: the latest "Time:" report is the played position', () => {
  const progress = pulseBackend.playbackProgress!();
  assert.equal(progress('Stream successfully created.\n'), undefined);
  assert.equal(progress('Time: 0.000 sec; Latency: 30000 usec.        \rTime: 0.414 sec; Latency: 36933 usec.        \r'), 414);
  assert.equal(progress('Stream underrun.\n'), 414);
});
