/**
 * The registration client against scripted registrars (SIPp as UAS): each scenario checks
 * what the client sends (sipp exits 0 only when every step matched).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.js';
import { skipUnless } from '../support/peers.js';
import { startSipp } from '../support/sipp.js';

const skip = skipUnless('sipp');

async function registerAgainst(scenario: string, extra: string[] = []) {
  const sipp = await startSipp({ scenario, timeoutMs: 20000 });
  const cli = await runCli(['register', 'alice@127.0.0.1', '--registrar', `sip:127.0.0.1:${sipp.port}`, '--once', '--password', 'alice-secret', ...extra]);
  const result = await sipp.result;
  return { cli, sipp: result };
}

test('RFC 3261 §22.2: a 401 challenge is answered once with a digest the registrar verifies, then 200', { skip }, async () => {
  const { cli, sipp } = await registerAgainst('registrar-401-then-200.xml');
  assert.equal(cli.code, 0, cli.stderr);
  assert.ok(sipp.passed, sipp.summary());
  assert.match(cli.stdout, /registered sip:alice@127\.0\.0\.1 for 3600s/);
});

test('RFC 3261 §10.2.8: 423 Interval Too Brief is retried with Min-Expires (same Call-ID, higher CSeq)', { skip }, async () => {
  const { cli, sipp } = await registerAgainst('registrar-423.xml', ['--expires', '30']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.ok(sipp.passed, sipp.summary());
  assert.match(cli.stdout, /registered sip:alice@127\.0\.0\.1 for 120s/);
});

test('RFC 3261 §20.33: 503 with Retry-After 2 is retried no sooner than 2 s later, then registers', { skip }, async () => {
  const { cli, sipp } = await registerAgainst('registrar-503-retry-after.xml');
  assert.equal(cli.code, 0, cli.stderr);
  assert.ok(sipp.passed, sipp.summary()); // the scenario fails a retry earlier than 1.9 s
  assert.match(cli.stderr, /Service Unavailable \(503\); retrying in 2s/);
  assert.match(cli.stdout, /registered sip:alice@127\.0\.0\.1/);
});

test('softphone options: prints the status, what the peer allows, and the round-trip time', { skip }, async () => {
  const sipp = await startSipp({ scenario: 'options-uas.xml', timeoutMs: 20000 });
  const cli = await runCli(['options', `sip:127.0.0.1:${sipp.port}`]);
  await sipp.result;
  assert.equal(cli.code, 0, cli.stderr);
  assert.match(cli.stdout, /^200 OK from sip:127\.0\.0\.1:\d+ in \d+\.\d ms$/m);
});

test('softphone options: no answer is a non-zero exit with the reason', async () => {
  // A UDP port nobody listens on: Timer F (32 s) would be long, so use TCP: refused at once.
  const cli = await runCli(['options', 'sip:127.0.0.1:9;transport=tcp']);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /no answer from sip:127\.0\.0\.1:9;transport=tcp: .*refused/i);
});
