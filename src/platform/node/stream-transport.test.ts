import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type Socket } from 'node:net';
import type { Endpoint, Flow } from '../../sip/transport.js';
import { TransportError } from '../../sip/transport.js';
import { ManualScheduler } from '../manual-scheduler.js';
import { NodeTransportLayer, type KeepAliveEvent, type NodeTransportLayerOptions } from './transport-layer.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function sip(startLine: string, callId: string, body = ''): Uint8Array {
  return enc.encode(
    `${startLine}\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK${callId}\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\n` +
      `Content-Length: ${enc.encode(body).length}\r\n\r\n${body}`,
  );
}

type Received = { text: string; flow: Flow };

/** Messages delivered by a layer, awaited one by one (no sleeps). */
function inbox(layer: NodeTransportLayer): () => Promise<Received> {
  const queued: Received[] = [];
  const waiting: ((m: Received) => void)[] = [];
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

function nextClose(layer: NodeTransportLayer): Promise<{ flow: Flow; reason: string }> {
  return new Promise((resolve) => {
    layer.onFlowClosed = (flow, reason) => resolve({ flow, reason });
  });
}

function nextKeepAlive(layer: NodeTransportLayer, want: KeepAliveEvent): Promise<Flow> {
  return new Promise((resolve) => {
    layer.onKeepAlive = (flow, ev) => {
      if (ev.kind === want.kind && ev.direction === want.direction) resolve(flow);
    };
  });
}

async function tcpLayer(t: { after: (fn: () => Promise<void>) => void }, extra: Partial<NodeTransportLayerOptions> = {}): Promise<NodeTransportLayer> {
  const layer = new NodeTransportLayer({ tcp: { address: '127.0.0.1', port: 0 }, ...extra });
  t.after(() => layer.close());
  await layer.start();
  return layer;
}

function endpoint(layer: NodeTransportLayer): Endpoint {
  const e = layer.localEndpoint('tcp');
  assert.ok(e);
  return e;
}

async function freeTcpPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const addr = srv.address();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  assert.ok(addr && typeof addr === 'object');
  return addr.port;
}

test('RFC 3261 §18.2.2: the response goes back on the connection the request came in on (flow id)', async (t) => {
  const server = await tcpLayer(t);
  const client = await tcpLayer(t);
  const atServer = inbox(server);
  const atClient = inbox(client);

  const out = await client.send(sip('OPTIONS sip:s@127.0.0.1 SIP/2.0', 't1'), endpoint(server));
  const req = await atServer();
  assert.match(req.text, /^OPTIONS /);
  assert.deepEqual(req.flow.remote, { protocol: 'tcp', address: '127.0.0.1', port: out.local.port }, 'the server sees our ephemeral port');
  assert.deepEqual(out.remote, endpoint(server));

  // The dest passed here is the Via sent-by (the listening port), not the connection's source:
  // the flow id wins.
  const back = await server.send(sip('SIP/2.0 200 OK', 't1'), endpoint(client), { flowId: req.flow.id });
  assert.equal(back.id, req.flow.id);
  const res = await atClient();
  assert.match(res.text, /^SIP\/2\.0 200 OK/);
  assert.equal(res.flow.id, out.id, 'the response arrived on the connection the request used');
  assert.equal(server.flows().length, 1);
  assert.equal(client.flows().length, 1);
});

test('RFC 3261 §18.1: later requests to the same endpoint reuse the open connection', async (t) => {
  const server = await tcpLayer(t);
  const client = await tcpLayer(t);
  const atServer = inbox(server);
  // Sends issued together, before any connection exists, share the one being opened.
  const flows = await Promise.all([1, 2, 3].map((i) => client.send(sip('OPTIONS sip:s@127.0.0.1 SIP/2.0', `r${i}`), endpoint(server))));
  assert.equal(new Set(flows.map((f) => f.id)).size, 1);
  const got = [await atServer(), await atServer(), await atServer()];
  assert.equal(new Set(got.map((m) => m.flow.id)).size, 1);
  assert.deepEqual(got.map((m) => /Call-ID: (\w+)/.exec(m.text)?.[1]), ['r1', 'r2', 'r3'], 'in order on one stream');
  // RFC 5923-style reuse the other way: the server reaches the client's address and port
  // over the connection the client opened, without a flow id.
  const atClient = inbox(client);
  const reverse = await server.send(sip('OPTIONS sip:c@127.0.0.1 SIP/2.0', 'rev'), got[0]?.flow.remote as Endpoint);
  assert.equal(reverse.id, got[0]?.flow.id);
  assert.equal((await atClient()).flow.id, flows[0]?.id);
});

test('RFC 3261 §18.3: large and back-to-back messages survive TCP segmentation', async (t) => {
  const server = await tcpLayer(t);
  const client = await tcpLayer(t);
  const atServer = inbox(server);
  const big = 'v=0\r\n' + 'a=x-pad:'.padEnd(200, 'z').concat('\r\n').repeat(500);
  await Promise.all([
    client.send(sip('MESSAGE sip:s@127.0.0.1 SIP/2.0', 'b1', big), endpoint(server)),
    client.send(sip('MESSAGE sip:s@127.0.0.1 SIP/2.0', 'b2', 'short'), endpoint(server)),
  ]);
  const first = await atServer();
  const second = await atServer();
  assert.ok(first.text.endsWith(big), 'the whole 100 kB body arrived as one message');
  assert.ok(second.text.endsWith('\r\n\r\nshort'));
});

test('RFC 3261 §18.2.2: when the request connection is gone the response opens a new one; the close is reported', async (t) => {
  const server = await tcpLayer(t);
  const client = await tcpLayer(t);
  const atServer = inbox(server);
  const atClient = inbox(client);
  const out = await client.send(sip('OPTIONS sip:s@127.0.0.1 SIP/2.0', 'g1'), endpoint(server));
  const req = await atServer();

  const serverSaw = nextClose(server);
  const clientSaw = nextClose(client);
  client.closeFlow(out.id, 'test closes it');
  const [s, c] = await Promise.all([serverSaw, clientSaw]);
  assert.equal(s.flow.id, req.flow.id);
  assert.equal(s.reason, 'closed by peer');
  assert.equal(c.flow.id, out.id);
  assert.equal(c.reason, 'test closes it');

  const back = await server.send(sip('SIP/2.0 200 OK', 'g1'), endpoint(client), { flowId: req.flow.id });
  assert.notEqual(back.id, req.flow.id, 'a fresh connection to the sent-by address');
  const res = await atClient();
  assert.match(res.text, /^SIP\/2\.0 200 OK/);
  assert.notEqual(res.flow.id, out.id);
});

test('RFC 3261 §18.1: connection refused rejects the send with ECONNREFUSED', async (t) => {
  const client = await tcpLayer(t);
  const port = await freeTcpPort();
  let closed = 0;
  client.onFlowClosed = () => closed++;
  await assert.rejects(client.send(sip('OPTIONS sip:x@127.0.0.1 SIP/2.0', 'x1'), { protocol: 'tcp', address: '127.0.0.1', port }), (err: unknown) => {
    assert.ok(err instanceof TransportError);
    assert.equal(err.code, 'ECONNREFUSED');
    return true;
  });
  assert.equal(closed, 0, 'a connection that never opened is not a flow');
  assert.equal(client.flows().length, 0);
});

test('RFC 3261 §18.3: a message without Content-Length on a stream closes the connection', async (t) => {
  const server = await tcpLayer(t);
  const closed = nextClose(server);
  const raw = connect(endpoint(server).port, '127.0.0.1');
  t.after(() => raw.destroy());
  const rawClosed = new Promise<void>((resolve) => raw.on('close', () => resolve()));
  raw.on('error', () => {});
  raw.write('OPTIONS sip:s@127.0.0.1 SIP/2.0\r\nCall-ID: nolen\r\n\r\n');
  const { reason } = await closed;
  assert.match(reason, /framing error \(missing-content-length\)/);
  await rawClosed;
});

test('RFC 5626 §4.4.1: a double-CRLF ping on an accepted connection is answered with a single CRLF', async (t) => {
  const server = await tcpLayer(t);
  const raw = connect(endpoint(server).port, '127.0.0.1');
  t.after(() => raw.destroy());
  const pingSeen = nextKeepAlive(server, { kind: 'ping', direction: 'in' });
  const reply = new Promise<string>((resolve) => raw.once('data', (d: Buffer) => resolve(d.toString('latin1'))));
  raw.write('\r\n\r\n');
  assert.equal(await reply, '\r\n');
  await pingSeen;
});

test('RFC 5626 §4.4.1: flows we opened ping every interval and see the pong', async (t) => {
  const clock = new ManualScheduler();
  const server = await tcpLayer(t);
  const client = await tcpLayer(t, { scheduler: clock, keepAliveIntervalMs: 30_000, random: () => 1 });
  const atServer = inbox(server);
  const out = await client.send(sip('REGISTER sip:127.0.0.1 SIP/2.0', 'ka1'), endpoint(server));
  await atServer();
  const serverPing = nextKeepAlive(server, { kind: 'ping', direction: 'in' });
  const clientPong = nextKeepAlive(client, { kind: 'pong', direction: 'in' });
  clock.advance(29_999);
  clock.advance(1); // 80-100% of the interval; random() = 1 gives exactly 100%
  const [pingFlow, pongFlow] = await Promise.all([serverPing, clientPong]);
  assert.equal(pongFlow.id, out.id);
  assert.deepEqual(pingFlow.remote.port, out.local.port);
});

test('RFC 5626 §4.4.1: a peer that answered pings and stops answering fails the flow', async (t) => {
  const clock = new ManualScheduler();
  let pings = 0;
  const sockets: Socket[] = [];
  const peer = createServer((s) => {
    sockets.push(s);
    s.on('data', (d) => {
      // Answer the first ping only.
      if (d.toString('latin1').includes('\r\n\r\n') && ++pings === 1) s.write('\r\n');
    });
  });
  await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => peer.close(() => resolve()));
  });
  const port = (peer.address() as { port: number }).port;
  const client = await tcpLayer(t, { scheduler: clock, keepAliveIntervalMs: 1_000, random: () => 1, pongTimeoutMs: 10_000 });
  const flow = await client.send(enc.encode('\r\n'), { protocol: 'tcp', address: '127.0.0.1', port });
  const firstPong = nextKeepAlive(client, { kind: 'pong', direction: 'in' });
  clock.advance(1_000);
  await firstPong;
  const closed = nextClose(client);
  clock.advance(1_000); // second ping: from now on a pong is required within 10 s
  clock.advance(10_000);
  const { flow: gone, reason } = await closed;
  assert.equal(gone.id, flow.id);
  assert.match(reason, /keep-alive timeout/);
});

test('idle connections we opened are closed after idleTimeoutMs; a REGISTER flow is kept (RFC 5626 §5)', async (t) => {
  const clock = new ManualScheduler();
  const server = await tcpLayer(t);
  const client = await tcpLayer(t, { scheduler: clock, keepAliveIntervalMs: 0, idleTimeoutMs: 60_000 });
  const atServer = inbox(server);
  const other = await tcpLayer(t);
  const atOther = inbox(other);

  const plain = await client.send(sip('OPTIONS sip:s@127.0.0.1 SIP/2.0', 'i1'), endpoint(server));
  const reg = await client.send(sip('REGISTER sip:127.0.0.1 SIP/2.0', 'i2'), endpoint(other));
  await atServer();
  await atOther();
  const closed = nextClose(client);
  clock.advance(60_000);
  const { flow, reason } = await closed;
  assert.equal(flow.id, plain.id);
  assert.equal(reason, 'idle');
  // The registration flow is still usable.
  const again = await client.send(sip('OPTIONS sip:o@127.0.0.1 SIP/2.0', 'i3'), endpoint(other));
  assert.equal(again.id, reg.id);
  assert.equal((await atOther()).flow.remote.port, reg.local.port);
});

test('close() reports every open flow and is idempotent', async (t) => {
  const server = await tcpLayer(t);
  const client = new NodeTransportLayer({ tcp: { address: '127.0.0.1', port: 0, listen: false } });
  await client.start();
  assert.deepEqual(client.localEndpoint('tcp'), { protocol: 'tcp', address: '127.0.0.1', port: 5060 }, 'connect-only: nominal sent-by');
  const atServer = inbox(server);
  const out = await client.send(sip('OPTIONS sip:s@127.0.0.1 SIP/2.0', 'z1'), endpoint(server));
  await atServer();
  const closed = nextClose(client);
  await Promise.all([client.close(), client.close()]);
  const c = await closed;
  assert.equal(c.flow.id, out.id);
  assert.equal(c.reason, 'transport closed');
  await assert.rejects(client.send(sip('OPTIONS sip:s SIP/2.0', 'z2'), endpoint(server)), { code: 'ECLOSED' });
});
