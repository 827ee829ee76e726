/**
 * Registration against a real Kamailio (digest auth over db_text, usrloc) on 127.0.0.1:
 * the CLI over UDP, TCP and TLS, refresh, unregister, a wrong password, and a registrar that
 * goes away and comes back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeUserAgent } from '../../src/main/node.js';
import type { RegistrationEvent } from '../../src/sip/registration/register-client.js';
import { RegistrationClient } from '../../src/sip/registration/register-client.js';
import { sipUri } from '../../src/sip/uri-util.js';
import { runCli, startCli } from '../support/cli.js';
import type { Kamailio } from '../support/kamailio.js';
import { startKamailio } from '../support/kamailio.js';
import { skipUnless } from '../support/peers.js';
import { waitFor } from '../support/process.js';

const skip = skipUnless('kamailio', 'kamcmd');

describe('registration with Kamailio', { skip }, () => {
  let k: Kamailio;
  before(async () => {
    k = await startKamailio({ minExpires: 2 });
  });
  after(async () => {
    await k?.stop();
  });

  for (const transport of ['udp', 'tcp'] as const) {
    test(`RFC 3261 §10.2 + §22: register --once over ${transport.toUpperCase()} answers the digest challenge and the binding appears`, async () => {
      const r = await runCli(['register', 'alice@127.0.0.1', '--registrar', `sip:127.0.0.1:${k.udpPort}`, '--transport', transport, '--once', '--expires', '300'], {
        env: { SOFTPHONE_PASSWORD: 'alice-secret' },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /registered sip:alice@127\.0\.0\.1 for 300s \(200\)/);
      const b = await k.bindings('alice');
      assert.ok(b.some((x) => x.contact.includes(transport === 'tcp' ? 'transport=tcp' : '127.0.0.1') && x.userAgent?.startsWith('softphone')), JSON.stringify(b));
    });
  }

  test('RFC 5922: register over TLS verifies the server certificate (trusted CA: registered; unknown CA: refused with the reason)', async () => {
    const registrar = `sip:127.0.0.1:${k.tlsPort};transport=tls`;
    const good = await runCli(['register', 'bob@127.0.0.1', '--registrar', registrar, '--tls-ca', k.caPath, '--once'], { env: { SOFTPHONE_PASSWORD: 'bob-secret' } });
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /registered sip:bob@127\.0\.0\.1/);
    const bad = await runCli(['register', 'bob@127.0.0.1', '--registrar', registrar, '--once'], { env: { SOFTPHONE_PASSWORD: 'bob-secret' } });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /certificate/i);
  });

  test('a wrong password fails with a clear reason and a non-zero exit, without looping', async () => {
    const r = await runCli(['register', 'carol@127.0.0.1', '--registrar', `sip:127.0.0.1:${k.udpPort}`, '--password', 'nope', '--once', '--trace']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /wrong password or user "carol" for realm "127\.0\.0\.1"/);
    // Exactly one unauthenticated and one authenticated attempt.
    assert.equal((r.stderr.match(/^REGISTER /gm) ?? []).length, 2);
    // --trace shows the exchange but never the credentials.
    assert.match(r.stderr, /^Authorization: \[redacted\]$/m);
    assert.doesNotMatch(r.stderr, /response="/);
    assert.doesNotMatch(r.stderr, /nope/);
    assert.equal((await k.bindings('carol')).length, 0);
  });

  test('RFC 5626 §4.1: register --once run again (from another local port) replaces its binding: the instance id stays the same between runs', async () => {
    const run = () => runCli(['register', '1003@127.0.0.1', '--registrar', `sip:127.0.0.1:${k.udpPort}`, '--once', '--expires', '300'], { env: { SOFTPHONE_PASSWORD: '1003-secret' } });
    const first = await run();
    assert.equal(first.code, 0, first.stderr);
    const second = await run();
    assert.equal(second.code, 0, second.stderr);
    const port = (out: string) => /binding sip:1003@127\.0\.0\.1:(\d+)/.exec(out)?.[1];
    assert.notEqual(port(first.stdout), port(second.stdout), 'each run binds a port of its own');
    // The 200 OK lists the AOR's bindings (RFC 3261 §10.3 step 8): the second run's alone.
    assert.equal((second.stdout.match(/^ {2}binding /gm) ?? []).length, 1, second.stdout);
    const b = await k.bindings('1003');
    assert.equal(b.length, 1, JSON.stringify(b));
    assert.match(b[0]?.instance ?? '', /^<urn:uuid:[0-9a-f-]{36}>$/);
  });

  test('RFC 3261 §10.2.2: without --once the binding is refreshed, and Ctrl-C unregisters it', async () => {
    const p = startCli(['register', '1001@127.0.0.1', '--registrar', `sip:127.0.0.1:${k.udpPort}`, '--expires', '3'], { env: { SOFTPHONE_PASSWORD: '1001-secret' } });
    try {
      await p.waitForLine(/registered sip:1001@127\.0\.0\.1 for 3s/);
      // refresh before expiry: a second "registered" line within the 3 s lifetime
      await waitFor('a refresh', () => ((p.stdout().match(/registered sip:1001/g) ?? []).length >= 2 ? true : undefined), 8000);
      assert.equal((await k.bindings('1001')).length, 1);
    } finally {
      const r = await p.interrupt();
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /unregistered sip:1001@127\.0\.0\.1/);
    }
    assert.equal((await k.bindings('1001')).length, 0);
  });

  for (const transport of ['udp', 'tcp'] as const) {
    test(`RFC 5626 §4.5: Kamailio stopped then restarted: the client re-registers by itself (${transport.toUpperCase()})`, async () => {
      const { ua } = await createNodeUserAgent({
        peerHost: '127.0.0.1',
        transports: [transport],
        credentials: [{ username: '1002', password: '1002-secret' }],
        timers: { t1: 50 },
      });
      const client = new RegistrationClient({
        aor: sipUri({ user: '1002', host: '127.0.0.1' }),
        registrar: sipUri({ host: '127.0.0.1', port: k.udpPort, params: transport === 'tcp' ? { transport: 'tcp' } : {} }),
        contact: () => ua.contactUri('1002', transport),
        expires: 4,
        sender: ua,
        scheduler: ua.scheduler,
        random: ua.random,
        retryBaseMs: 300,
        retryMaxMs: 1000,
      });
      ua.on('flowClosed', () => client.refreshNow());
      const states: RegistrationEvent[] = [];
      client.on('state', (e) => states.push(e));
      try {
        client.register();
        await client.waitFor('state', (e) => e.state === 'registered' || e.state === 'failed');
        assert.equal(client.state, 'registered', JSON.stringify(states));
        await k.stopProcess();
        await client.waitFor('state', (e) => e.state === 'retry-wait');
        assert.ok(states.some((e) => e.state === 'retry-wait'));
        await k.start();
        await waitFor('the binding to come back', async () => ((await k.bindings('1002')).length > 0 ? true : undefined), 15000, 200);
        assert.equal(client.state, 'registered');
      } finally {
        await client.unregister();
        client.close();
        await ua.close();
      }
    });
  }
});
