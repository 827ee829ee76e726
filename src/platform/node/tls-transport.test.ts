// SIP over TLS between two NodeTransportLayers, with a CA and server certificate made by the
// openssl CLI for each run (written to a fresh temp dir, removed afterwards).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { Endpoint, Flow } from '../../sip/transport.js';
import { TransportError } from '../../sip/transport.js';
import { NodeTransportLayer, type NodeTransportLayerOptions } from './transport-layer.js';

const OPENSSL = '/usr/bin/openssl';
const missing = (process.env.SOFTPHONE_MISSING_PEERS ?? '').split(',').includes('openssl') || !existsSync(OPENSSL);
const skip = missing ? 'openssl CLI not installed (apt-get install openssl): cannot make test certificates' : false;

const enc = new TextEncoder();
const dec = new TextDecoder();
const NAME = 'sip.example.test';

let dir = '';
let ca = '';
let cert = '';
let key = '';

before(() => {
  if (missing) return;
  dir = mkdtempSync(join(tmpdir(), 'softphone-tls-'));
  const run = (...args: string[]) => execFileSync(OPENSSL, args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=softphone test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${NAME}`);
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=DNS:${NAME},IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf');
  ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
  cert = readFileSync(join(dir, 'server.crt'), 'utf8');
  key = readFileSync(join(dir, 'server.key'), 'utf8');
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function sip(startLine: string, callId: string): Uint8Array {
  return enc.encode(`${startLine}\r\nVia: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK${callId}\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`);
}

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

async function layer(t: { after: (fn: () => Promise<void>) => void }, tls: NonNullable<NodeTransportLayerOptions['tls']>): Promise<NodeTransportLayer> {
  const l = new NodeTransportLayer({ tls });
  t.after(() => l.close());
  await l.start();
  return l;
}

async function tlsServer(t: { after: (fn: () => Promise<void>) => void }): Promise<{ layer: NodeTransportLayer; at: Endpoint }> {
  const l = await layer(t, { address: '127.0.0.1', port: 0, cert, key });
  const at = l.localEndpoint('tls');
  assert.ok(at && at.port !== 0);
  return { layer: l, at };
}

function isTlsError(err: unknown): boolean {
  assert.ok(err instanceof TransportError, `expected a TransportError, got ${String(err)}`);
  assert.equal(err.code, 'ETLS', err.message);
  return true;
}

test('RFC 5922 §7.2 / RFC 3261 §18.2.2: TLS with a trusted CA and matching name; the response returns on the same connection', { skip }, async (t) => {
  const server = await tlsServer(t);
  const client = await layer(t, { address: '127.0.0.1', port: 0, ca, client: true });
  const atServer = inbox(server.layer);
  const atClient = inbox(client);

  const out = await client.send(sip('OPTIONS sips:s@sip.example.test SIP/2.0', 'tls1'), server.at, { serverName: NAME });
  assert.equal(out.remote.protocol, 'tls');
  const req = await atServer();
  assert.match(req.text, /^OPTIONS sips:/);
  assert.equal(req.flow.remote.port, out.local.port);

  await server.layer.send(sip('SIP/2.0 200 OK', 'tls1'), req.flow.remote, { flowId: req.flow.id });
  const res = await atClient();
  assert.match(res.text, /^SIP\/2\.0 200 OK/);
  assert.equal(res.flow.id, out.id, 'the response came back on the connection the request used');

  // Reuse: a second request to the same endpoint and name goes over the same connection.
  const again = await client.send(sip('OPTIONS sips:s@sip.example.test SIP/2.0', 'tls2'), server.at, { serverName: NAME });
  assert.equal(again.id, out.id);
  assert.equal((await atServer()).flow.id, req.flow.id);
});

test('RFC 5922 §7.2: without the issuing CA the certificate is rejected with ETLS', { skip }, async (t) => {
  const server = await tlsServer(t);
  const client = await layer(t, { address: '127.0.0.1', port: 0 });
  await assert.rejects(client.send(sip('OPTIONS sips:s@sip.example.test SIP/2.0', 'noca'), server.at, { serverName: NAME }), isTlsError);
  assert.equal(client.flows().length, 0);
});

test('RFC 5922 §7.2: a certificate for another name is rejected with ETLS (hostname mismatch)', { skip }, async (t) => {
  const server = await tlsServer(t);
  const client = await layer(t, { address: '127.0.0.1', port: 0, ca });
  await assert.rejects(
    client.send(sip('OPTIONS sips:s@other.example.test SIP/2.0', 'wrong'), server.at, { serverName: 'other.example.test' }),
    (err: unknown) => isTlsError(err) && /other\.example\.test/.test((err as Error).message),
  );
});

test('RFC 5922 §7.2: without serverName the address is checked against the certificate (IP subjectAltName)', { skip }, async (t) => {
  const server = await tlsServer(t);
  const client = await layer(t, { address: '127.0.0.1', port: 0, ca });
  const atServer = inbox(server.layer);
  const out = await client.send(sip('OPTIONS sips:s@127.0.0.1 SIP/2.0', 'ip'), server.at);
  assert.equal((await atServer()).flow.remote.port, out.local.port);
  // A connection verified for 127.0.0.1 is not reused for a request that must reach NAME.
  const named = await client.send(sip('OPTIONS sips:s@sip.example.test SIP/2.0', 'ip2'), server.at, { serverName: NAME });
  assert.notEqual(named.id, out.id);
});

test('RFC 6066 §3: the server name is sent as SNI; rejectUnauthorized false skips verification', { skip }, async (t) => {
  let sawName!: (name: string | false) => void;
  const seen = new Promise<string | false>((resolve) => (sawName = resolve));
  const raw = createTlsServer({ cert, key }, (s: TLSSocket) => {
    sawName(s.servername ?? false);
    s.destroy();
  });
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => raw.close(() => resolve())));
  const port = (raw.address() as { port: number }).port;
  const client = await layer(t, { address: '127.0.0.1', port: 0, rejectUnauthorized: false });
  await client.send(sip('OPTIONS sips:s@sip.example.test SIP/2.0', 'sni'), { protocol: 'tls', address: '127.0.0.1', port }, { serverName: NAME });
  assert.equal(await seen, NAME);
});

test('RFC 3261 §18.1: TLS connection refused is ECONNREFUSED, not ETLS', { skip }, async (t) => {
  const server = await tlsServer(t);
  const port = server.at.port;
  await server.layer.close();
  const client = await layer(t, { address: '127.0.0.1', port: 0, ca });
  await assert.rejects(client.send(sip('OPTIONS sips:s SIP/2.0', 'ref'), { protocol: 'tls', address: '127.0.0.1', port }), { code: 'ECONNREFUSED' });
});

test('a TLS listener without a certificate is a configuration error at start()', { skip }, async () => {
  const l = new NodeTransportLayer({ tls: { address: '127.0.0.1', port: 0, client: false } });
  await assert.rejects(l.start(), { code: 'ECONFIG' });
});
