/**
 * `softphone dial` (the desktop's sip:/tel: handler) against a real engine: the CLI `serve` on
 * a temporary profile and a real socket, `dial` run as its own process. dial echo gives an
 * established call; a tel: link with visual separators reaches baresip through Kamailio as
 * the account's number; no uri prints the UI URL with the token; with no engine (never
 * started, stopped, or a stale engine.json) it exits 1 and says how to start one.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountInfo, CallInfo, EngineState } from '../../src/phone/engine-schemas.js';
import type { Baresip } from '../support/baresip.js';
import { startBaresip } from '../support/baresip.js';
import type { CliProcess } from '../support/cli.js';
import { runCli, startCli } from '../support/cli.js';
import type { Kamailio } from '../support/kamailio.js';
import { startKamailio } from '../support/kamailio.js';
import { skipUnless } from '../support/peers.js';
import { waitFor } from '../support/process.js';

interface EngineHandle {
  cli: CliProcess;
  port: number;
  token: string;
  api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

async function startEngineCli(profile: string): Promise<EngineHandle> {
  const cli = startCli(['serve', '--profile', profile, '--port', '0']);
  const line = await cli.waitForLine(/softphone is running: /, 20_000);
  const m = /http:\/\/127\.0\.0\.1:(\d+)\/#token=([\w-]+)/.exec(line);
  assert.ok(m, line);
  const port = Number(m[1]);
  const token = m[2] ?? '';
  return {
    cli,
    port,
    token,
    async api<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
  };
}

const NOT_RUNNING = /no softphone engine is running for profile .+; start it with `softphone --profile .+`/;

describe('softphone dial', () => {
  let dir: string;
  let profile: string;
  let e: EngineHandle | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'softphone-dial-'));
    profile = join(dir, 'profile');
    e = await startEngineCli(profile);
  });
  after(async () => {
    await e?.cli.interrupt();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the engine writes engine.json (port, pid; 0600) in its profile', () => {
    const path = join(profile, 'engine.json');
    const info = JSON.parse(readFileSync(path, 'utf8')) as { port: number; pid: number };
    assert.equal(info.port, e!.port);
    assert.equal(info.pid, e!.cli.child.pid);
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  test('dial echo: prints the call id, and the engine has that call established', async () => {
    const r = await runCli(['dial', 'echo', '--profile', profile]);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    assert.match(id, /^\S+$/);
    const up = await waitFor('echo call established', async () => (await e!.api<CallInfo[]>('GET', '/api/calls')).body.find((c) => c.id === id && c.state === 'established'), 10_000);
    assert.equal(up.direction, 'outgoing');
    assert.equal((await e!.api('POST', `/api/calls/${id}/hangup`)).status, 200);
  });

  test('dial with no uri (a menu launch) prints the UI URL with the token', async () => {
    const r = await runCli(['dial', '--profile', profile]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `http://127.0.0.1:${e!.port}/#token=${e!.token}`);
  });

  test('a link that is not a phone link is refused (exit 2), nothing is dialled', async () => {
    const before = (await e!.api<CallInfo[]>('GET', '/api/calls')).body.length;
    const r = await runCli(['dial', 'http://example.com/', '--profile', profile]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not a number, a sip: or sips: URI or a tel: link/);
    assert.equal((await e!.api<CallInfo[]>('GET', '/api/calls')).body.length, before);
  });

  describe('through an account (Kamailio, baresip as 1002)', { skip: skipUnless('kamailio', 'kamcmd', 'baresip') }, () => {
    let k: Kamailio;
    let b: Baresip;
    before(async () => {
      k = await startKamailio();
      b = await startBaresip({ user: '1002', password: k.users['1002'], registrar: k, answermode: 'auto' });
      await b.waitRegistered(10_000);
    });
    after(async () => {
      await b?.stop();
      await k?.stop();
    });

    test('a tel: link with visual separators calls the number through the account', async () => {
      const acc = await e!.api<AccountInfo>('POST', '/api/accounts', { aor: '1001@127.0.0.1', registrar: `sip:127.0.0.1:${k.udpPort}`, password: k.users['1001'] });
      assert.equal(acc.status, 201, JSON.stringify(acc.body));
      await waitFor('1001 registered', async () => {
        const s = (await e!.api<EngineState>('GET', '/api/state')).body;
        return s.accounts.find((a) => a.id === acc.body.id && a.registration.state === 'registered');
      }, 10_000);
      const r = await runCli(['dial', 'tel:10-02;phone-context=127.0.0.1', '--profile', profile]);
      assert.equal(r.code, 0, r.stderr);
      const id = r.stdout.trim();
      const up = await waitFor('call to 1002 established', async () => (await e!.api<CallInfo[]>('GET', '/api/calls')).body.find((c) => c.id === id && c.state === 'established'), 10_000);
      assert.match(up.remote.uri, /^sip:1002@127\.0\.0\.1/);
      assert.equal(up.accountId, acc.body.id);
      await b.waitForEvent('CALL_ESTABLISHED', 5000);
      assert.equal((await e!.api('POST', `/api/calls/${id}/hangup`)).status, 200);
      await b.waitForEvent('CALL_CLOSED', 5000);
    });
  });

  test('after the engine stops, engine.json is gone and dial exits 1 with the message', async () => {
    const r0 = await e!.cli.interrupt();
    e = undefined;
    assert.equal(r0.code, 0, r0.stderr);
    assert.throws(() => statSync(join(profile, 'engine.json')), /ENOENT/);
    const r = await runCli(['dial', 'echo', '--profile', profile]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, NOT_RUNNING);
    assert.equal(r.stdout, '');
  });

  test('a stale engine.json (its process gone) counts as no engine', async () => {
    writeFileSync(join(profile, 'engine.json'), JSON.stringify({ port: 9, pid: 2 ** 22 + 12345, url: 'http://127.0.0.1:9/', startedAt: 0 }), { mode: 0o600 });
    const r = await runCli(['dial', 'tel:+1-555-123-4567', '--profile', profile]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, NOT_RUNNING);
  });

  test('a profile that never had an engine: exit 1 and the message', async () => {
    const r = await runCli(['dial', 'sip:alice@127.0.0.1', '--profile', join(dir, 'empty')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, NOT_RUNNING);
  });
});
