import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Flow } from '../../sip/transport.js';
import { TransportError } from '../../sip/transport.js';
import { NodeTransportLayer } from './transport-layer.js';
import { UDP_MAX_MESSAGE_BYTES } from './udp-transport.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function sip(startLine: string, callId: string): Uint8Array {
  return enc.encode(`${startLine}\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK${callId}\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`);
}

/** Messages delivered by a layer, awaited one by one (no sleeps). */
function inbox(layer: NodeTransportLayer): () => Promise<{ text: string; flow: Flow }> {
  const queued: { text: string; flow: Flow }[] = [];
  const waiting: ((m: { text: string; flow: Flow }) => void)[] = [];
  layer.onMessage = (bytes, flow) => {
    const m = { text: dec.decode(bytes), flow };
    const w = waiting.shift();
    if (w) w(m);
    else queued.push(m);
  };
  return () => {
    const m = queued.shift();
    return m ? Promise.resolve(m) : new Promise((resolve) => waiting.push(resolve));
  };
}

test('RFC 3261 §18.1/§18.2: UDP request and response between two transport layers', async (t) => {
  const a = new NodeTransportLayer({ udp: { address: '127.0.0.1', port: 0 } });
  const b = new NodeTransportLayer({ udp: { address: '127.0.0.1', port: 0 }, udpRecvBufferSize: 1 << 20 });
  t.after(() => Promise.all([a.close(), b.close()]));
  await Promise.all([a.start(), b.start()]);
  const aEnd = a.localEndpoint('udp');
  const bEnd = b.localEndpoint('udp');
  assert.ok(aEnd && bEnd);
  assert.notEqual(aEnd.port, 0, 'port 0 binds a real port and reports it');
  assert.equal(a.localEndpoint('tcp'), undefined, 'no TCP configured');

  const nextAtA = inbox(a);
  const nextAtB = inbox(b);
  const sent = await a.send(sip('OPTIONS sip:b@127.0.0.1 SIP/2.0', 'u1'), bEnd);
  assert.deepEqual(sent.remote, bEnd);
  const got = await nextAtB();
  assert.match(got.text, /^OPTIONS sip:b@127\.0\.0\.1 SIP\/2\.0\r\n/);
  assert.deepEqual(got.flow.remote, { protocol: 'udp', address: '127.0.0.1', port: aEnd.port }, 'the source is the 5-tuple, for rport');

  // RFC 3581: the response goes back to the source address and port.
  await b.send(sip('SIP/2.0 200 OK', 'u1'), got.flow.remote, { flowId: got.flow.id });
  const reply = await nextAtA();
  assert.match(reply.text, /^SIP\/2\.0 200 OK\r\n/);
  assert.equal(reply.flow.id, sent.id, 'both directions of one 5-tuple are one flow');
});

test('RFC 5626 §4.4.2: CRLF-only datagrams are keep-alives, not messages', async (t) => {
  const layer = new NodeTransportLayer({ udp: { address: '127.0.0.1', port: 0 } });
  t.after(() => layer.close());
  await layer.start();
  const next = inbox(layer);
  const raw = createSocket('udp4');
  t.after(() => raw.close());
  const port = layer.localEndpoint('udp')?.port ?? 0;
  await new Promise<void>((resolve) => raw.send('\r\n\r\n', port, '127.0.0.1', () => resolve()));
  await new Promise<void>((resolve) => raw.send(sip('OPTIONS sip:x@127.0.0.1 SIP/2.0', 'k1'), port, '127.0.0.1', () => resolve()));
  const first = await next();
  assert.match(first.text, /^OPTIONS /, 'the keep-alive was dropped; the first message delivered is the request');
});

test('RFC 3261 §18.1.1: the UDP size threshold is exposed; sending to an unconfigured protocol is an error', async (t) => {
  assert.equal(UDP_MAX_MESSAGE_BYTES, 1300);
  const layer = new NodeTransportLayer({ udp: { address: '127.0.0.1', port: 0 } });
  t.after(() => layer.close());
  await layer.start();
  await assert.rejects(layer.send(sip('OPTIONS sip:x SIP/2.0', 'e1'), { protocol: 'tcp', address: '127.0.0.1', port: 5060 }), (err: unknown) => {
    assert.ok(err instanceof TransportError);
    assert.equal(err.code, 'EUNSUPPORTED');
    return true;
  });
  // A datagram over 64 KiB cannot be sent at all.
  await assert.rejects(layer.send(new Uint8Array(70_000), layer.localEndpoint('udp') ?? { protocol: 'udp', address: '127.0.0.1', port: 9 }), (err: unknown) => {
    assert.ok(err instanceof TransportError);
    assert.equal(err.code, 'ETOOBIG');
    return true;
  });
});

test('close() is idempotent and later sends fail with ECLOSED', async () => {
  const layer = new NodeTransportLayer({ udp: { address: '127.0.0.1', port: 0 } });
  await layer.start();
  await Promise.all([layer.close(), layer.close()]);
  assert.equal(layer.closed, true);
  await assert.rejects(layer.send(sip('OPTIONS sip:x SIP/2.0', 'c1'), { protocol: 'udp', address: '127.0.0.1', port: 9 }), { code: 'ECLOSED' });
});
