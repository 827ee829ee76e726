// Proves the Kamailio harness and its config: registrar with digest auth over db_text, 423 for
// a too-short expiry, bindings through kamcmd, UDP/TCP/TLS listeners with the test CA, proxy
// authentication and relaying of INVITE to a registered contact, 404 for an unknown one, and a
// restart on the same ports. Uses sipp (as a UAC with its built-in digest) and a raw client.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKamailio } from './kamailio.js';
import type { Kamailio } from './kamailio.js';
import { skipUnless } from './peers.js';
import { digestAuthorization, RawSipClient } from './rawsip.js';
import type { RawResponse } from './rawsip.js';
import { runSipp } from './sipp.js';
import { sipOptionsPing, waitFor } from './process.js';

const skipKam = skipUnless('kamailio');
const skipKamSipp = skipUnless('kamailio', 'sipp');

describe('Kamailio harness (registrar + proxy on 127.0.0.1)', { skip: skipKam }, () => {
  let kam: Kamailio;
  const clients: RawSipClient[] = [];
  const open = async (transport: 'udp' | 'tcp' | 'tls' = 'udp'): Promise<RawSipClient> => {
    const c = await RawSipClient.open({
      transport,
      host: kam.host,
      port: transport === 'tls' ? kam.tlsPort : kam.udpPort,
      caPath: kam.caPath,
    });
    clients.push(c);
    return c;
  };

  before(async () => {
    kam = await startKamailio({ minExpires: 60, maxExpires: 3600 });
  });
  after(async () => {
    for (const c of clients) c.close();
    await kam?.stop();
  });

  test('answers OPTIONS to itself on UDP with 200', async () => {
    assert.match(await sipOptionsPing(kam.host, kam.udpPort, 3000), /^SIP\/2\.0 200/);
  });

  test('RFC 3261 §22: sipp registers alice with digest auth (401, then 200) and kamcmd shows the binding', { skip: skipKamSipp }, async () => {
    const r = await runSipp({
      scenario: 'uac-register-auth.xml',
      remote: `${kam.host}:${kam.udpPort}`,
      service: 'alice',
      auth: { user: 'alice', password: kam.users.alice ?? '' },
      keys: { domain: kam.domain, expires: 300 },
      timeoutMs: 10000,
    });
    assert.equal(r.code, 0, r.summary());
    assert.match(r.messages, /SIP\/2\.0 401 Unauthorized[\s\S]*WWW-Authenticate: Digest realm="127\.0\.0\.1"/);
    const b = await kam.bindings('alice');
    assert.equal(b.length, 1, JSON.stringify(b));
    assert.match(b[0]?.contact ?? '', /^sip:alice@127\.0\.0\.1:\d+;transport=UDP$/);
    assert.ok((b[0]?.expires ?? 0) > 290 && (b[0]?.expires ?? 0) <= 300, `expires ${b[0]?.expires}`);
    assert.equal(b[0]?.userAgent, 'sipp-softphone-harness');
  });

  test('a wrong password is refused again (401) and leaves no binding', { skip: skipKamSipp }, async () => {
    const r = await runSipp({
      scenario: 'uac-register-wrong-password.xml',
      remote: `${kam.host}:${kam.udpPort}`,
      service: 'bob',
      auth: { user: 'bob', password: 'not-the-password' },
      keys: { domain: kam.domain, expires: 300 },
      timeoutMs: 10000,
    });
    assert.equal(r.code, 0, r.summary());
    assert.deepEqual(await kam.bindings('bob'), []);
  });

  test('RFC 3261 §10.3: an expiry below min_expires gets 423 with Min-Expires', async () => {
    const c = await open();
    const r = await c.register({ user: '1001', password: kam.users['1001'] ?? '', domain: kam.domain, expires: 10 });
    assert.equal(r.status, 423, r.raw);
    assert.equal(r.header('Min-Expires'), '60');
    const ok = await c.register({ user: '1001', password: kam.users['1001'] ?? '', domain: kam.domain, expires: 60 });
    assert.equal(ok.status, 200, ok.raw);
    assert.match(ok.header('Contact') ?? '', /;expires=60/);
  });

  test('an expiry above max_expires is lowered to it in the 200', async () => {
    const c = await open();
    const r = await c.register({ user: '1002', password: kam.users['1002'] ?? '', domain: kam.domain, expires: 99999 });
    assert.equal(r.status, 200, r.raw);
    assert.match(r.header('Contact') ?? '', /;expires=3600/);
  });

  test('registers over TCP and over TLS (trusting the harness CA), bindings keep the connection', async () => {
    const tcp = await open('tcp');
    const r1 = await tcp.register({ user: '1003', password: kam.users['1003'] ?? '', domain: kam.domain, expires: 300 });
    assert.equal(r1.status, 200, r1.raw);
    const tls = await open('tls');
    const r2 = await tls.register({ user: '1004', password: kam.users['1004'] ?? '', domain: kam.domain, expires: 300 });
    assert.equal(r2.status, 200, r2.raw);
    const [b1] = await kam.bindings('1003');
    assert.equal(b1?.socket, `tcp:127.0.0.1:${kam.tcpPort}`);
    assert.equal(b1?.received, `sip:127.0.0.1:${tcp.localPort};transport=tcp`);
    const [b2] = await kam.bindings('1004');
    assert.equal(b2?.socket, `tls:127.0.0.1:${kam.tlsPort}`);
  });

  test('proxy: INVITE from a local user is challenged (407); with credentials it reaches the callee contact; unknown user gets 404', async () => {
    const bob = await open();
    const reg = await bob.register({ user: 'bob', password: kam.users.bob ?? '', domain: kam.domain, expires: 300 });
    assert.equal(reg.status, 200, reg.raw);

    const alice = await open();
    const invite = (to: string, auth?: string): Promise<RawResponse> =>
      alice.request({
        method: 'INVITE',
        uri: `sip:${to}@${kam.domain}`,
        from: `<sip:alice@${kam.domain}>`,
        to: `<sip:${to}@${kam.domain}>`,
        headers: [`Contact: <sip:alice@127.0.0.1:${alice.localPort}>`, ...(auth ? [`Proxy-Authorization: ${auth}`] : [])],
      });
    const challenged = await invite('bob');
    assert.equal(challenged.status, 407, challenged.raw);
    const auth = digestAuthorization({
      challenge: challenged.header('Proxy-Authenticate') ?? '',
      method: 'INVITE',
      uri: `sip:bob@${kam.domain}`,
      user: 'alice',
      password: kam.users.alice ?? '',
    });
    const answered = invite('bob', auth);
    const relayed = await bob.nextRequest(5000);
    assert.match(relayed, new RegExp(`^INVITE sip:bob@127\\.0\\.0\\.1:${bob.localPort} SIP/2\\.0`));
    assert.match(relayed, /^Record-Route: <sip:127\.0\.0\.1[^>]*;lr[^>]*>/m);
    assert.doesNotMatch(relayed, /^Proxy-Authorization:/m);
    bob.reply(relayed, 486, 'Busy Here');
    assert.equal((await answered).status, 486);

    const challenged2 = await invite('nobody');
    const auth2 = digestAuthorization({
      challenge: challenged2.header('Proxy-Authenticate') ?? '',
      method: 'INVITE',
      uri: `sip:nobody@${kam.domain}`,
      user: 'alice',
      password: kam.users.alice ?? '',
    });
    assert.equal((await invite('nobody', auth2)).status, 404);
  });

  test('restart: Kamailio comes back on the same ports with no bindings', async () => {
    const c = await open();
    assert.equal((await c.register({ user: 'carol', password: kam.users.carol ?? '', domain: kam.domain, expires: 300 })).status, 200);
    assert.equal((await kam.bindings('carol')).length, 1);
    const ports = [kam.udpPort, kam.tcpPort, kam.tlsPort];
    await kam.restart();
    assert.deepEqual([kam.udpPort, kam.tcpPort, kam.tlsPort], ports);
    assert.deepEqual(await kam.bindings('carol'), []);
    // the same client socket registers again
    const again = await waitFor('re-registration after restart', async () => {
      const r = await c.register({ user: 'carol', password: kam.users.carol ?? '', domain: kam.domain, expires: 300, timeoutMs: 1000 });
      return r.status === 200 ? r : undefined;
    }, 10000);
    assert.equal(again.status, 200);
    assert.equal((await kam.bindings('carol')).length, 1);
  });
});
