// Proves the sipp harness and the registrar-side scenarios in test/peers/sipp against a raw
// client: each scenario passes (sipp exits 0) for a client that behaves, and fails (sipp exits
// non-zero) for one that does not, so a client test can trust sipp's exit code.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { delay } from './process.js';
import { skipUnless } from './peers.js';
import { digestAuthorization, RawSipClient } from './rawsip.js';
import { startSipp } from './sipp.js';
import type { SippOptions, SippRun } from './sipp.js';

const skip = skipUnless('sipp');

async function uas(t: TestContext, opts: SippOptions): Promise<{ sipp: SippRun; client: RawSipClient }> {
  const sipp = await startSipp({ timeoutMs: 10000, ...opts });
  t.after(() => sipp.stop());
  const client = await RawSipClient.open({ host: sipp.host, port: sipp.port });
  t.after(() => client.close());
  return { sipp, client };
}

const aor = '<sip:alice@127.0.0.1>';
const reg = (c: RawSipClient, headers: string[]): Parameters<RawSipClient['request']>[0] => ({
  method: 'REGISTER',
  uri: 'sip:127.0.0.1',
  from: aor,
  to: aor,
  headers: [`Contact: <sip:alice@127.0.0.1:${c.localPort}>`, ...headers],
});

describe('sipp registrar scenarios', { skip }, () => {
  test('registrar-401-then-200: a correct digest gets 200 echoing the Expires header; sipp exits 0', async (t) => {
    const { sipp, client } = await uas(t, { scenario: 'registrar-401-then-200.xml', keys: { realm: 'example.test', user: 'alice', password: 'alice-secret' } });
    const r = await client.register({ user: 'alice', password: 'alice-secret', domain: '127.0.0.1', expires: 300 });
    assert.equal(r.status, 200, r.raw);
    assert.equal(r.header('Contact'), `<sip:alice@127.0.0.1:${client.localPort}>;expires=300`);
    const res = await sipp.result;
    assert.equal(res.code, 0, res.summary());
    assert.match(res.messages, /WWW-Authenticate: Digest realm="example\.test", nonce="[^"]+", algorithm=MD5, qop="auth"/);
  });

  test('registrar-401-then-200: the Contact expires param wins over the Expires header', async (t) => {
    const { sipp, client } = await uas(t, { scenario: 'registrar-401-then-200.xml' });
    const first = await client.request(reg(client, ['Expires: 3600']));
    assert.equal(first.status, 401);
    const auth = digestAuthorization({ challenge: first.header('WWW-Authenticate') ?? '', method: 'REGISTER', uri: 'sip:127.0.0.1', user: 'alice', password: 'alice-secret' });
    const r = await client.request({
      ...reg(client, []),
      headers: [`Contact: <sip:alice@127.0.0.1:${client.localPort};transport=udp>;expires=450`, `Authorization: ${auth}`, 'Expires: 3600'],
    });
    assert.equal(r.status, 200, r.raw);
    assert.equal(r.header('Contact'), `<sip:alice@127.0.0.1:${client.localPort};transport=udp>;expires=450`);
    assert.equal((await sipp.result).code, 0);
  });

  test('registrar-401-then-200: a wrong password gets 403 and sipp exits non-zero', async (t) => {
    const { sipp, client } = await uas(t, { scenario: 'registrar-401-then-200.xml' });
    const r = await client.register({ user: 'alice', password: 'wrong', domain: '127.0.0.1', expires: 300 });
    assert.equal(r.status, 403);
    const res = await sipp.result;
    assert.equal(res.code, 1, res.summary());
  });

  test('registrar-423: Min-Expires 120; a retry with Expires 120 and a higher CSeq gets 200', async (t) => {
    const { sipp, client } = await uas(t, { scenario: 'registrar-423.xml' });
    const r1 = await client.request(reg(client, ['Expires: 30']));
    assert.equal(r1.status, 423);
    assert.equal(r1.header('Min-Expires'), '120');
    const r2 = await client.request(reg(client, ['Expires: 120']));
    assert.equal(r2.status, 200, r2.raw);
    assert.match(r2.header('Contact') ?? '', /;expires=120$/);
    const res = await sipp.result;
    assert.equal(res.code, 0, res.summary());
  });

  test('registrar-423: a retry still below Min-Expires fails the scenario', async (t) => {
    const { sipp, client } = await uas(t, { scenario: 'registrar-423.xml' });
    assert.equal((await client.request(reg(client, ['Expires: 30']))).status, 423);
    assert.equal((await client.request(reg(client, ['Expires: 60']))).status, 400);
    assert.equal((await sipp.result).code, 1);
  });

  test('registrar-503-retry-after: Retry-After 2; a retry after 2 s gets 200 and sipp logs the wait', async (t) => {
    const { sipp, client } = await uas(t, { scenario: 'registrar-503-retry-after.xml' });
    const r1 = await client.request(reg(client, ['Expires: 600']));
    assert.equal(r1.status, 503);
    assert.equal(r1.header('Retry-After'), '2');
    await delay(2050);
    const r2 = await client.request(reg(client, ['Expires: 600']));
    assert.equal(r2.status, 200, r2.raw);
    assert.match(r2.header('Contact') ?? '', /;expires=600$/);
    const res = await sipp.result;
    assert.equal(res.code, 0, res.summary());
    assert.match(res.logs, /waited 2\.\d+ s/);
  });

  test('registrar-503-retry-after: an immediate retry fails the scenario', async (t) => {
    const { sipp, client } = await uas(t, { scenario: 'registrar-503-retry-after.xml' });
    assert.equal((await client.request(reg(client, ['Expires: 600']))).status, 503);
    assert.equal((await client.request(reg(client, ['Expires: 600']))).status, 400);
    assert.equal((await sipp.result).code, 1);
  });

  test('options-uas: answers OPTIONS with 200 (-m 2 answers two)', async (t) => {
    const { sipp } = await uas(t, { scenario: 'options-uas.xml', calls: 2 });
    for (let i = 0; i < 2; i++) {
      const c = await RawSipClient.open({ host: sipp.host, port: sipp.port });
      t.after(() => c.close());
      const r = await c.request({ method: 'OPTIONS', uri: `sip:127.0.0.1:${sipp.port}`, from: aor, to: `<sip:127.0.0.1:${sipp.port}>` });
      assert.equal(r.status, 200);
      assert.match(r.header('Allow') ?? '', /INVITE/);
    }
    assert.equal((await sipp.result).code, 0);
  });
});
