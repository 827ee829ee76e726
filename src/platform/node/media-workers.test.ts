// Media worker threads carrying real calls: two Phones on loopback UDP, one (or both) with its
// media in a MediaWorkerPool. Judged by content (the dominant frequency of what each side
// recorded), by DTMF crossing back from the worker, by statistics that move, by ports that
// are free again after the calls, and by a crashed worker ending its calls with a reason.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { AudioFormat, AudioSource } from '../../media/audio-frame.js';
import { WavRecorder } from '../../media/audio-sink.js';
import { ToneSource } from '../../media/audio-source.js';
import { dominantFrequency } from '../../media/tone-analysis.js';
import { createNodeMediaEnvironment, createNodeUserAgent } from '../../main/node.js';
import type { Call, MediaEnvironment } from '../../phone/call.js';
import { Phone } from '../../phone/phone.js';
import { createMediaWorkerEnvironment, MediaWorkerPool, WorkerMediaStream } from './media-workers.js';

const pools: MediaWorkerPool[] = [];
const phones: Phone[] = [];
after(async () => {
  await Promise.all(phones.map((p) => p.close(1000)));
  await Promise.all(pools.map((p) => p.close()));
});

function workerEnv(workers: number, rtpPorts: { min: number; max: number }): MediaEnvironment & { pool: MediaWorkerPool } {
  const pool = new MediaWorkerPool({ workers, rtpPorts, statsIntervalMs: 200 });
  pools.push(pool);
  return createMediaWorkerEnvironment(pool, { bindAddress: '127.0.0.1', address: '127.0.0.1' });
}

interface Party {
  phone: Phone;
  uri: string;
  recorders: WavRecorder[];
}

/** A phone on loopback sending `tone`, recording every call, answering at once. */
async function party(media: MediaEnvironment, tone: number, source?: (f: AudioFormat) => AudioSource): Promise<Party> {
  const { ua, transport } = await createNodeUserAgent({ bindAddress: '127.0.0.1', transports: ['udp'] });
  const recorders: WavRecorder[] = [];
  const phone = new Phone({
    ua,
    media,
    audio: () => ({
      source: source ?? ((f) => new ToneSource(f, { frequency: tone, amplitude: 0.3 })),
      sink: (f) => {
        const r = new WavRecorder(f);
        recorders.push(r);
        return r;
      },
    }),
  });
  phones.push(phone);
  phone.on('incoming', (call) => call.answer());
  const port = transport.localEndpoint('udp')!.port;
  return { phone, uri: `sip:softphone@127.0.0.1:${port}`, recorders };
}

function established(call: Call): Promise<void> {
  return call.state === 'established' ? Promise.resolve() : call.waitFor('state', (e) => e.state === 'established').then(() => undefined);
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms).unref())]);
}

/** Polls `ready` every 20 ms; rejects after `ms` and stops polling (no loop left behind to keep
 * the process alive when a test fails). */
async function until(ready: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind({ port, address: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
  });
}

test('a media worker pool carries two calls\' audio both ways (440 Hz ↔ 1000 Hz), DTMF, statistics, and frees the ports', async () => {
  const callerEnv = workerEnv(2, { min: 31000, max: 31099 });
  const caller = await party(callerEnv, 440);
  const callee = await party(workerEnv(2, { min: 31100, max: 31199 }), 1000);
  const calls = [await caller.phone.dial(callee.uri), await caller.phone.dial(callee.uri)];
  await within(Promise.all(calls.map(established)), 5000, 'answer');
  const incoming = callee.phone.calls;
  assert.equal(incoming.length, 2);
  // The callee's side of calls[0], by Call-ID: the callee lists its calls in the order their
  // INVITEs were handled, which need not be the order they were dialled (a CI run sent the
  // digits on one call and listened on the other).
  const answered = incoming.find((c) => c.sipCallId === calls[0]!.sipCallId);
  assert.ok(answered, 'the callee has the call by its Call-ID');
  // Least loaded first: the two calls of each phone went to different workers.
  assert.deepEqual(callerEnv.pool.load.map((w) => w.transports), [1, 1]);

  // Media flowing both ways first (the workers' statistics reach the main thread every 250 ms):
  // on a loaded CI machine the digits were sent before the callee's worker stream had its
  // first packet, and went unreported (one failure in four clean runs).
  await until(() => (answered.stats()?.packetsReceived ?? 0) > 5 && (calls[0]!.stats()?.packetsReceived ?? 0) > 5, 5000, 'media both ways before the DTMF');
  const digits: string[] = [];
  answered.on('dtmf', (d) => digits.push(d.digit));
  await calls[0]!.sendDtmf('1#', 80);
  await until(() => digits.length >= 2, 3000, 'DTMF digits from the worker').catch((e: Error) => {
    throw new Error(`${e.message} (got ${JSON.stringify(digits)}; sent ${calls[0]!.stats()?.dtmfSent}, received ${answered.stats()?.dtmfReceived})`);
  });
  assert.deepEqual(digits, ['1', '#'], 'RFC 4733 digits sent from one worker are reported by the other');

  await new Promise((r) => setTimeout(r, 1500));
  for (const c of calls) {
    const s = c.stats()!;
    assert.ok(s.packetsSent > 40 && s.packetsReceived > 40, `statistics move: sent ${s.packetsSent}, received ${s.packetsReceived}`);
  }
  // The stream sends an RTCP BYE when it stops, so only the worker's final snapshot, taken at
  // close, counts it: a deterministic mark that the final statistics came back (comparing
  // packet counts raced with the last periodic snapshot).
  const before = calls.map((c) => c.stats()!.rtcpSent);
  const ports = calls.map((c) => c.stats()!.remoteRtp.port);
  await Promise.all(calls.map((c) => c.hangup()));
  await Promise.all([...calls, ...incoming].map((c) => within(c.settled(), 5000, 'settled call')));
  calls.forEach((c, i) => assert.ok(c.stats()!.rtcpSent > before[i]!, 'the final statistics (with the BYE sent at close) came back'));

  for (const r of caller.recorders) {
    await r.complete();
    const f = dominantFrequency(r.samples(), 8000);
    assert.ok(f !== undefined && Math.abs(f - 1000) < 20, `the caller hears 1000 Hz, got ${f}`);
  }
  for (const r of callee.recorders) {
    await r.complete();
    const f = dominantFrequency(r.samples(), 8000);
    assert.ok(f !== undefined && Math.abs(f - 440) < 9, `the callee hears 440 Hz, got ${f}`);
  }
  assert.equal(caller.recorders.length, 2);
  assert.deepEqual(callerEnv.pool.load.map((w) => w.transports), [0, 0]);
  // The callee's RTP ports (where the caller sent) can be bound again.
  for (const p of ports) assert.ok(await udpPortFree(p), `port ${p} is free after the call`);
});

test('a call whose audio source cannot cross to a worker runs in the main thread on the same ports', async () => {
  class Custom implements AudioSource {
    private inner: ToneSource;
    constructor(readonly format: AudioFormat) {
      this.inner = new ToneSource(format, { frequency: 700, amplitude: 0.3 });
    }
    read(out: Int16Array): boolean {
      return this.inner.read(out);
    }
  }
  const caller = await party(workerEnv(1, { min: 31200, max: 31299 }), 0, (f) => new Custom(f));
  const callee = await party(createNodeMediaEnvironment('127.0.0.1', { rtpPorts: { min: 31300, max: 31399 } }), 1000);
  const call = await caller.phone.dial(callee.uri);
  await within(established(call), 5000, 'answer');
  await new Promise((r) => setTimeout(r, 1500));
  await call.hangup();
  await within(call.settled(), 5000, 'settled');
  const heard = dominantFrequency(callee.recorders[0]!.samples(), 8000);
  assert.ok(heard !== undefined && Math.abs(heard - 700) < 14, `the callee hears the custom 700 Hz source, got ${heard}`);
  const back = dominantFrequency(caller.recorders[0]!.samples(), 8000);
  assert.ok(back !== undefined && Math.abs(back - 1000) < 20, `and the caller hears 1000 Hz, got ${back}`);
});

test('a crashed media worker ends its calls with a clear reason, and a new worker takes new calls', async () => {
  const env = workerEnv(1, { min: 31400, max: 31499 });
  const caller = await party(env, 440);
  const callee = await party(createNodeMediaEnvironment('127.0.0.1', { rtpPorts: { min: 31500, max: 31599 } }), 1000);
  const call = await caller.phone.dial(callee.uri);
  await within(established(call), 5000, 'answer');
  const ended = call.waitFor('ended');
  env.pool.crashWorker(0);
  const info = await within(ended, 5000, 'end of the call on the crashed worker');
  assert.match(info.reason, /media worker 0 crashed/);
  assert.equal(info.cause, 'network');
  await within(call.settled(), 5000, 'BYE for the call');
  // The replacement worker carries the next call.
  await until(() => env.pool.load[0]!.alive, 3000, 'replacement worker');
  const next = await caller.phone.dial(callee.uri);
  await within(established(next), 5000, 'answer on the new worker');
  await new Promise((r) => setTimeout(r, 700));
  assert.ok(next.stats()!.packetsReceived > 0);
  await next.hangup();
  void WorkerMediaStream;
});
