import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { PortRange } from './port-range.js';
import { RtpSocket, socketBufferLimits } from './rtp-socket.js';

const range = () => new PortRange({ min: 23000, max: 23099 });

test('rtp socket: binds an even RTP port and RTCP on the next one, from the range; close frees them', async () => {
  const r = range();
  const s = await RtpSocket.open({ portRange: r });
  assert.equal(s.rtpPort % 2, 0);
  assert.equal(s.rtcpPort, s.rtpPort + 1);
  assert.ok(s.rtpPort >= 23000 && s.rtpPort <= 23098);
  assert.equal(r.isAllocated(s.rtpPort), true);
  await s.close();
  await s.close();
  assert.equal(r.isAllocated(s.rtpPort), false);
});

test('rtp socket: a port held by someone else is skipped', async () => {
  const r = new PortRange({ min: 23100, max: 23105 });
  const squatter = createSocket('udp4');
  await new Promise<void>((res) => squatter.bind(23101, '127.0.0.1', () => res()));
  const s = await RtpSocket.open({ portRange: r });
  assert.equal(s.rtpPort, 23102, 'the pair 23100/23101 could not be bound');
  assert.equal(r.isAllocated(23100), false, 'and was given back');
  await s.close();
  squatter.close();
});

test('rtp socket: datagrams on each port reach onRtp / onRtcp with their source; sends go out of the right port', async () => {
  const a = await RtpSocket.open({ portRange: range() });
  const b = await RtpSocket.open({ portRange: range() });
  const got: string[] = [];
  const done = new Promise<void>((res) => {
    b.onRtp = (bytes, addr, port) => {
      got.push(`rtp ${bytes[0]} ${addr}:${port}`);
      if (got.length === 2) res();
    };
    b.onRtcp = (bytes, addr, port) => {
      got.push(`rtcp ${bytes[0]} ${addr}:${port}`);
      if (got.length === 2) res();
    };
  });
  a.sendRtp(Uint8Array.of(1), '127.0.0.1', b.rtpPort);
  a.sendRtcp(Uint8Array.of(2), '127.0.0.1', b.rtcpPort);
  await done;
  assert.deepEqual(got.sort(), [`rtcp 2 127.0.0.1:${a.rtcpPort}`, `rtp 1 127.0.0.1:${a.rtpPort}`]);
  await a.close();
  await b.close();
});

test('rtp socket: rtcp-mux uses one socket; buffers are enlarged up to the system limit', async () => {
  const s = await RtpSocket.open({ portRange: range(), rtcpMux: true });
  assert.equal(s.rtcpPort, s.rtpPort);
  const limits = socketBufferLimits();
  assert.ok(limits.rmem > 0 && limits.wmem > 0);
  const sizes = s.bufferSizes();
  assert.ok(sizes.recv >= Math.min(1 << 20, limits.rmem), `SO_RCVBUF ${sizes.recv}`);
  assert.ok(sizes.send >= Math.min(1 << 20, limits.wmem), `SO_SNDBUF ${sizes.send}`);
  await s.close();
});
