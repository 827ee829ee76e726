/**
 * The engine through its HTTP API against a real Kamailio on 127.0.0.1: an account created
 * by POST /api/accounts registers and /api/state shows it; an echo call reaches established
 * and ends in history as answered; with DND on, a call from a second engine through Kamailio
 * is answered 486 (declined here, busy there); history survives an engine restart.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../../src/api/server.js';
import type { ApiServer } from '../../src/api/server.js';
import { loadOrCreateToken } from '../../src/api/token.js';
import { createNodeEngine } from '../../src/main/node-engine.js';
import type { PhoneEngine } from '../../src/phone/engine.js';
import type { AccountInfo, CallInfo, EngineState, HistoryEntry } from '../../src/phone/engine-schemas.js';
import type { Kamailio } from '../support/kamailio.js';
import { startKamailio } from '../support/kamailio.js';
import { skipUnless } from '../support/peers.js';
import { waitFor } from '../support/process.js';

const skip = skipUnless('kamailio', 'kamcmd');

interface Running {
  engine: PhoneEngine;
  server: ApiServer;
  api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

async function startEngine(profileDir: string): Promise<Running> {
  const engine = await createNodeEngine({ profileDir });
  const token = loadOrCreateToken(profileDir);
  const server = await startApiServer({ engine, token, port: 0 });
  return {
    engine,
    server,
    async api<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(`http://127.0.0.1:${server.port}${path}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async close() {
      await server.close();
      await engine.close();
    },
  };
}

describe('the engine and its API with Kamailio', { skip }, () => {
  let k: Kamailio;
  let dir: string;
  let a: Running;
  let b: Running | undefined;

  before(async () => {
    k = await startKamailio();
    dir = mkdtempSync(join(tmpdir(), 'softphone-engine-'));
    a = await startEngine(join(dir, 'a'));
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await k?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function registered(r: Running, id: number): Promise<AccountInfo> {
    return waitFor(`account ${id} registered`, async () => {
      const s = await r.api<EngineState>('GET', '/api/state');
      const acc = s.body.accounts.find((x) => x.id === id);
      if (acc?.registration.state === 'failed' || acc?.registration.state === 'error') throw new Error(`registration ${acc.registration.state}: ${acc.registration.reason}`);
      return acc?.registration.state === 'registered' ? acc : undefined;
    }, 10_000);
  }

  test('POST /api/accounts registers the account with Kamailio (digest) and /api/state shows it registered', async () => {
    const res = await a.api<AccountInfo>('POST', '/api/accounts', { aor: 'alice@127.0.0.1', registrar: `sip:127.0.0.1:${k.udpPort}`, password: 'alice-secret', displayName: 'Alice' });
    assert.equal(res.status, 201);
    assert.equal(res.body.isDefault, true);
    const acc = await registered(a, res.body.id);
    assert.ok((acc.registration.expires ?? 0) > 0);
    assert.equal((await k.bindings('alice')).length, 1);
  });

  test('POST /api/calls {target:"echo"} reaches established; after the hang-up, history has it as answered', async () => {
    const res = await a.api<CallInfo>('POST', '/api/calls', { target: 'echo' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const id = res.body.id;
    const up = await waitFor('echo call established', async () => {
      const calls = (await a.api<CallInfo[]>('GET', '/api/calls')).body;
      return calls.find((c) => c.id === id && c.state === 'established');
    }, 10_000);
    assert.match(up.codec ?? '', /PCM[UA]\/8000/);
    // Let a second of audio and a stats tick pass.
    await waitFor('stats', async () => (await a.api<CallInfo[]>('GET', '/api/calls')).body.find((c) => c.id === id && c.stats), 5000);
    assert.equal((await a.api<CallInfo>('POST', `/api/calls/${id}/hangup`)).status, 200);
    const entry = await waitFor('history row', async () => {
      const h = (await a.api<{ entries: HistoryEntry[] }>('GET', '/api/history?limit=10')).body;
      return h.entries.find((e) => e.id === up.historyId && e.outcome !== null);
    }, 5000);
    assert.equal(entry.outcome, 'answered');
    assert.equal(entry.direction, 'out');
    assert.ok((entry.durationMs ?? 0) > 0);
    assert.match(entry.codec ?? '', /PCM/);
  });

  test('DND: a call from another engine through Kamailio is answered 486; declined here, busy there', async () => {
    assert.equal((await a.api('PATCH', '/api/settings', { 'call.dnd': true })).status, 200);
    b = await startEngine(join(dir, 'b'));
    const bob = await b.api<AccountInfo>('POST', '/api/accounts', { aor: 'bob@127.0.0.1', registrar: `sip:127.0.0.1:${k.udpPort}`, password: 'bob-secret' });
    await registered(b, bob.body.id);
    const dial = await b.api<CallInfo>('POST', '/api/calls', { target: 'alice' });
    assert.equal(dial.status, 201, JSON.stringify(dial.body));
    const theirs = await waitFor('busy in b history', async () => {
      const h = (await b!.api<{ entries: HistoryEntry[] }>('GET', '/api/history')).body;
      return h.entries.find((e) => e.id === dial.body.historyId && e.outcome !== null);
    }, 10_000);
    assert.equal(theirs.outcome, 'busy');
    assert.match(theirs.reason ?? '', /486/);
    const ours = await waitFor('declined in a history', async () => {
      const h = (await a.api<{ entries: HistoryEntry[] }>('GET', '/api/history')).body;
      return h.entries.find((e) => e.direction === 'in' && e.outcome !== null);
    }, 5000);
    assert.equal(ours.outcome, 'declined');
    assert.match(ours.reason ?? '', /do not disturb/);
    assert.match(ours.remoteUri, /bob@127\.0\.0\.1/);
    await a.api('PATCH', '/api/settings', { 'call.dnd': false });
  });

  test('history and accounts survive an engine restart (the account registers again)', async () => {
    const before = (await a.api<{ entries: HistoryEntry[] }>('GET', '/api/history')).body.entries;
    assert.ok(before.length >= 2);
    await a.close();
    a = await startEngine(join(dir, 'a'));
    const afterRestart = (await a.api<{ entries: HistoryEntry[] }>('GET', '/api/history')).body.entries;
    assert.deepEqual(afterRestart.map((e) => [e.id, e.outcome]), before.map((e) => [e.id, e.outcome]));
    const state = (await a.api<EngineState>('GET', '/api/state')).body;
    assert.equal(state.accounts.length, 1);
    assert.equal(state.settings['call.dnd'], false);
    await registered(a, state.accounts[0]!.id);
  });
});
