// `arecord -L` output parsing. The sample has the shape alsa-utils 1.2 prints: PCM names at
// the start of a line, descriptions indented; the first lines are this machine's (Debian 12
// with the pulse plugin), the card lines a laptop's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alsaBackend, parseAlsaList } from './alsa.js';

const ARECORD_L = `null
    Discard all samples (playback) or generate zero samples (capture)
default
    Playback/recording through the PulseAudio sound server
lavrate
    Rate Converter Plugin Using Libav/FFmpeg Library
speexrate
    Rate Converter Plugin Using Speex Resampler
pulse
    PulseAudio Sound Server
upmix
    Plugin for channel upmix (4,6,8)
hw:CARD=PCH,DEV=0
    HDA Intel PCH, ALC257 Analog
    Direct hardware device without any conversions
plughw:CARD=PCH,DEV=0
    HDA Intel PCH, ALC257 Analog
    Hardware device with all software conversions
sysdefault:CARD=PCH
    HDA Intel PCH, ALC257 Analog
    Default Audio Device
dsnoop:CARD=PCH,DEV=0
    HDA Intel PCH, ALC257 Analog
    Direct sample snooping device
dmix:CARD=PCH,DEV=0
    HDA Intel PCH, ALC257 Analog
    Direct sample mixing device
surround51:CARD=PCH,DEV=0
    HDA Intel PCH, ALC257 Analog
    5.1 Surround output to Front, Center, Rear and Subwoofer speakers
`;

test('arecord -L: devices a phone can use, descriptions joined, default marked; converters and surround left out', () => {
  const inputs = parseAlsaList(ARECORD_L, 'input');
  assert.deepEqual(
    inputs.map((d) => d.id),
    ['null', 'default', 'pulse', 'hw:CARD=PCH,DEV=0', 'plughw:CARD=PCH,DEV=0', 'sysdefault:CARD=PCH', 'dsnoop:CARD=PCH,DEV=0'],
  );
  assert.equal(inputs.find((d) => d.id === 'plughw:CARD=PCH,DEV=0')!.description, 'HDA Intel PCH, ALC257 Analog, Hardware device with all software conversions');
  assert.deepEqual(inputs.filter((d) => d.isDefault).map((d) => d.id), ['default']);
  const outputs = parseAlsaList(ARECORD_L, 'output');
  assert.ok(outputs.some((d) => d.id === 'dmix:CARD=PCH,DEV=0') && !outputs.some((d) => d.id.startsWith('dsnoop:')));
  assert.deepEqual(parseAlsaList('', 'input'), []);
});

test('alsa: tool failures become clear errors by kind', () => {
  const missing = alsaBackend.failure('input', 'nosuch', 'ALSA lib pcm.c:2666:(snd_pcm_open_noupdate) Unknown PCM nosuch\narecord: main:831: audio open error: No such file or directory\n', 1);
  assert.equal(missing.code, 'audio-device-not-found');
  assert.match(missing.message, /no ALSA capture device named "nosuch"/);
  const busy = alsaBackend.failure('output', 'hw:0', 'aplay: main:831: audio open error: Device or resource busy\n', 1);
  assert.equal(busy.code, 'audio-device-failed');
  assert.match(busy.message, /in use by another program/);
});

test('aplay progress: one VU meter line per period of period_size frames at the setup rate', () => {
  const progress = alsaBackend.playbackProgress!();
  assert.equal(progress("Playing raw data 'stdin' : Signed 16 bit Little Endian, Rate 8000 Hz, Mono\nALSA <-> PulseAudio PCM I/O Plugin\nIts setup is:\n  rate         : 8000\n"), undefined);
  assert.equal(progress('  exact rate   : 8000 (8000/1)\n  buffer_size  : 320\n  period_size  : 80\n  period_time  : 10000\n'), undefined);
  assert.equal(progress('\r####+| 99%\r###'), 10);
  assert.equal(progress('#+| 42%\r#   +| 03%'), 30);
  const args = alsaBackend.playbackCommand(undefined, { rate: 8000, latencyMs: 40, streamName: 'x' }).args;
  assert.ok(args.includes('-v') && args.join(' ').includes('-V mono'));
});
