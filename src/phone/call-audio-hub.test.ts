/**
 * CallAudioHub with sound devices ('audio.handset': 'system'), on fake devices: a call with no
 * page uses them; a page that attaches takes over (the devices close) and the call goes back
 * to them when it detaches; no devices when the factory gives none; a factory that throws or
 * reports an error leaves the call in silence with the error in `info`. (The real devices:
 * test/interop/engine-system-audio.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { audioFormat } from '../media/audio-frame.js';
import type { AudioFormat } from '../media/audio-frame.js';
import { CallAudioHub } from './call-audio-hub.js';
import type { DeviceHandset, DeviceHandsetFactory, DeviceStatus } from './call-audio-hub.js';
import type { CallAudioInfo } from './engine-schemas.js';

const F8 = audioFormat(8000);

class FakeDevices implements DeviceHandset {
  closed = false;
  heard: number[] = [];
  constructor(
    readonly format: AudioFormat,
    readonly value: number,
  ) {}
  read(out: Int16Array): void {
    out.fill(this.value);
  }
  write(frame: Int16Array): void {
    this.heard.push(frame[0]!);
  }
  close(): void {
    this.closed = true;
  }
}

function setup(factory?: (call: { id: string; format: AudioFormat }, report: (s: DeviceStatus) => void) => DeviceHandset | undefined) {
  const opened: FakeDevices[] = [];
  let n = 0;
  const devices: DeviceHandsetFactory =
    factory ??
    ((call, report) => {
      const d = new FakeDevices(call.format, 100 + n++);
      report({ input: { device: 'mic', state: 'open' }, output: { device: 'speaker', state: 'open' } });
      opened.push(d);
      return d;
    });
  const hub = new CallAudioHub({ devices });
  const events: CallAudioInfo[] = [];
  hub.on('audio', (e) => events.push(e.audio));
  return { hub, opened, events };
}

describe('CallAudioHub with sound devices', () => {
  test('no page: the call reads and plays through the devices, opened once its format is known', () => {
    const { hub, opened, events } = setup();
    const audio = hub.callAudio('c1');
    assert.equal(opened.length, 0, 'nothing opens before the audio starts');
    assert.equal(hub.info('c1'), undefined);
    const source = audio.source!(F8);
    const sink = audio.sink!(F8);
    assert.equal(opened.length, 1, 'one set of devices for source and sink');
    assert.deepEqual(opened[0]!.format, F8);
    const out = new Int16Array(160);
    source.read(out);
    assert.equal(out[0], 100);
    sink.write(new Int16Array(160).fill(7), 0);
    assert.deepEqual(opened[0]!.heard, [7]);
    const open = { handset: 'system', input: { device: 'mic', state: 'open' }, output: { device: 'speaker', state: 'open' } };
    assert.deepEqual(hub.info('c1'), open);
    assert.deepEqual(events, [open]);
    hub.end('c1');
    assert.equal(opened[0]!.closed, true, 'the end of the call closes them');
    assert.equal(hub.info('c1'), undefined);
  });

  test('a page takes over (devices closed), and when it detaches the call goes back to fresh devices', () => {
    const { hub, opened, events } = setup();
    const audio = hub.callAudio('c2');
    const source = audio.source!(F8);
    const sink = audio.sink!(F8);
    const played: Int16Array[] = [];
    const page = hub.attach('c2', { sampleRate: 8000, play: (f) => played.push(f) });
    assert.equal(opened[0]!.closed, true);
    assert.equal(hub.info('c2')?.handset, 'browser');
    const out = new Int16Array(160);
    source.read(out);
    assert.equal(out[0], 0, 'the page (nothing sent yet), not the devices');
    sink.write(new Int16Array(160).fill(9), 0);
    assert.equal(played.length, 1);
    assert.deepEqual(opened[0]!.heard, []);
    // A second page replaces the first: no devices in between.
    const page2 = hub.attach('c2', { sampleRate: 8000, play: () => undefined });
    page.detach(); // the replaced page's own detach changes nothing
    assert.equal(opened.length, 1);
    assert.equal(hub.info('c2')?.handset, 'browser');
    page2.detach();
    assert.equal(opened.length, 2, 'devices again once no page is attached');
    source.read(out);
    assert.equal(out[0], 101);
    assert.deepEqual(
      events.map((e) => e.handset),
      ['system', 'browser', 'browser', 'system'],
    );
    hub.end('c2');
    assert.equal(opened[1]!.closed, true);
  });

  test('our hold lets go of the devices (silence, handset none) and the resume opens fresh ones; a page attached is left alone', () => {
    const { hub, opened, events } = setup();
    const audio = hub.callAudio('h1');
    const source = audio.source!(F8);
    const sink = audio.sink!(F8);
    hub.setHeld('h1', true);
    assert.equal(opened[0]!.closed, true, 'held: the devices are closed');
    assert.deepEqual(hub.info('h1'), { handset: 'none' });
    const out = new Int16Array(160).fill(5);
    source.read(out);
    assert.ok(out.every((v) => v === 0), 'a held call reads silence');
    sink.write(new Int16Array(160).fill(3), 0);
    assert.deepEqual(opened[0]!.heard, [], 'and plays nowhere');
    hub.setHeld('h1', true); // a second hold event changes nothing
    assert.equal(opened.length, 1);
    hub.setHeld('h1', false);
    assert.equal(opened.length, 2, 'resumed: devices again');
    source.read(out);
    assert.equal(out[0], 101);
    assert.deepEqual(
      events.map((e) => e.handset),
      ['system', 'none', 'system'],
    );
    // A page on the call: hold and resume leave it (and the absence of devices) as it is; when
    // the page goes while the call is held, no devices open until the resume.
    const page = hub.attach('h1', { sampleRate: 8000, play: () => undefined });
    hub.setHeld('h1', true);
    assert.equal(hub.info('h1')?.handset, 'browser');
    page.detach();
    assert.equal(opened.length, 2, 'no devices for a held call');
    assert.deepEqual(hub.info('h1'), { handset: 'none' });
    hub.setHeld('h1', false);
    assert.equal(opened.length, 3);
    hub.setHeld('unknown', true); // a call the hub does not know: nothing happens
    hub.end('h1');
    assert.equal(opened[2]!.closed, true);
  });

  test('a page attached before the audio starts: no devices at all', () => {
    const { hub, opened } = setup();
    const audio = hub.callAudio('c3');
    hub.attach('c3', { sampleRate: 48000, play: () => undefined });
    audio.source!(F8);
    audio.sink!(F8);
    assert.equal(opened.length, 0);
    assert.equal(hub.info('c3')?.handset, 'browser');
  });

  test('a factory that gives no devices (handset: browser): silence, handset none', () => {
    const { hub } = setup(() => undefined);
    const source = hub.callAudio('c4').source!(F8);
    const out = new Int16Array(160).fill(5);
    source.read(out);
    assert.ok(out.every((s) => s === 0));
    assert.deepEqual(hub.info('c4'), { handset: 'none' });
  });

  test('errors: reported ones land in info (later reports of closed devices do not); a throwing factory leaves silence', () => {
    let report: ((s: DeviceStatus) => void) | undefined;
    const { hub, events } = setup((call, r) => {
      report = r;
      return new FakeDevices(call.format, 1);
    });
    const audio = hub.callAudio('c5');
    audio.source!(F8);
    assert.deepEqual(hub.info('c5'), { handset: 'system' }, 'no report yet');
    report!({ input: { device: 'nosuch', state: 'failed' }, output: { device: 'speaker', state: 'open' }, error: 'system microphone: no input named "nosuch"' });
    assert.equal(hub.info('c5')?.error, 'system microphone: no input named "nosuch"');
    hub.attach('c5', { sampleRate: 8000, play: () => undefined });
    const before = events.length;
    report!({ error: 'late' });
    assert.equal(events.length, before, 'a closed device’s report is ignored');
    assert.equal(hub.info('c5')?.handset, 'browser');

    const { hub: hub2 } = setup(() => {
      throw new Error('boom');
    });
    const source = hub2.callAudio('c6').source!(F8);
    const out = new Int16Array(160).fill(5);
    source.read(out);
    assert.ok(out.every((s) => s === 0));
    assert.deepEqual(hub2.info('c6'), { handset: 'none', error: 'the sound devices did not open: boom' });
  });
});
