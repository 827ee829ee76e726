import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audioFormat } from './audio-frame.js';
import { ToneSource } from './audio-source.js';
import { PCMU_CODEC } from './codec-registry.js';
import { MediaStream } from './media-stream.js';
import type { DatagramHandler, MediaTicker, RtpTransport, Tickable } from './media-stream.js';
import { parseRtcpCompound } from './rtcp.js';
import type { RtpStreamConfig } from './stream-config.js';

class ManualTicker implements MediaTicker {
  time = 0;
  readonly list: Tickable[] = [];
  now(): number {
    return this.time;
  }
  add(t: Tickable): void {
    this.list.push(t);
  }
  remove(t: Tickable): void {
    const i = this.list.indexOf(t);
    if (i >= 0) this.list.splice(i, 1);
  }
  advance(ms: number): void {
    for (let i = 0; i < ms; i += 10) {
      this.time += 10;
      for (const t of this.list) t.tick(this.time);
    }
  }
}

class MemoryTransport implements RtpTransport {
  readonly localAddress = '127.0.0.1';
  readonly rtpPort = 10000;
  readonly rtcpPort = 10001;
  onRtp: DatagramHandler | undefined;
  onRtcp: DatagramHandler | undefined;
  rtp: Uint8Array[] = [];
  rtcp: Uint8Array[] = [];
  closes = 0;
  sendRtp(bytes: Uint8Array): void {
    this.rtp.push(bytes.slice());
  }
  sendRtcp(bytes: Uint8Array): void {
    this.rtcp.push(bytes.slice());
  }
  close(): Promise<void> {
    this.closes++;
    return Promise.resolve();
  }
}

const config: RtpStreamConfig = {
  sendCodec: PCMU_CODEC,
  sendPayloadType: 0,
  receiveCodecs: [{ payloadType: 0, codec: PCMU_CODEC }],
  ptime: 20,
  direction: 'sendrecv',
  remoteRtp: { address: '127.0.0.1', port: 20000 },
  remoteRtcp: { address: '127.0.0.1', port: 20001 },
  rtcpMux: false,
};

test('MediaStream: start puts the stream on the shared clock, the transport feeds it, close sends BYE, leaves the clock and closes the transport once', async () => {
  const clock = new ManualTicker();
  const transport = new MemoryTransport();
  const s = new MediaStream(config, { transport, clock, source: new ToneSource(audioFormat(8000, 20), { frequency: 440 }) });
  assert.ok(transport.onRtp && transport.onRtcp, 'the stream listens on the transport');
  s.start();
  assert.equal(clock.list.length, 1);
  clock.advance(200);
  assert.equal(transport.rtp.length, 11, 'frames at 0, 20, ... 200 ms');
  assert.equal(s.stats().packetsSent, 11);
  await s.close('bye now');
  await s.close();
  assert.equal(clock.list.length, 0);
  assert.equal(transport.closes, 1);
  assert.equal(transport.onRtp, undefined);
  const last = parseRtcpCompound(transport.rtcp.at(-1)!);
  assert.ok(last.ok);
  assert.deepEqual(last.value.map((p) => p.type), ['sr', 'sdes', 'bye']);
  assert.equal(s.closed, true);
  assert.equal(s.state, 'closed');
});

test('MediaStream: closeTransport false leaves the sockets to the caller (e.g. reused after a re-INVITE)', async () => {
  const transport = new MemoryTransport();
  const s = new MediaStream(config, { transport, clock: new ManualTicker(), closeTransport: false });
  await s.close();
  assert.equal(transport.closes, 0);
});
