/**
 * The API's handlers without a socket (the app is a function of a plain request), over a real engine on a temporary
 * profile: the guard (token, Origin, Host), errors mapped to statuses, contacts import and
 * export, settings, and the static UI served without the token.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeEngine } from '../main/node-engine.js';
import { CommandRegistry } from '../phone/commands.js';
import type { PhoneEngine } from '../phone/engine.js';
import { createApiApp } from './app.js';

const PORT = 8640;
const BASE = `http://127.0.0.1:${PORT}`;
const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstuv';

describe('API handlers (no socket)', () => {
  let dir: string;
  let engine: PhoneEngine;
  let app: ReturnType<typeof createApiApp>;
  const auth = { Authorization: `Bearer ${TOKEN}` };
  /** The app called as a browser would (absolute URL, headers, body), its answer as a Response. */
  async function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
    const headers = Object.fromEntries(Object.entries(init.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const out = await app({ method: init.method ?? 'GET', url, headers, body: init.body });
    return new Response(out.status === 204 ? null : out.body, { status: out.status, headers: out.headers });
  }
  const json = (body: unknown) => ({ method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'softphone-api-'));
    engine = await createNodeEngine({ profileDir: join(dir, 'profile') });
    app = createApiApp({ registry: new CommandRegistry(engine), token: TOKEN, port: () => PORT, webDir: join(dir, 'no-ui') });
  });
  after(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('without the token: 401; with a wrong token: 401; with the token: 200 and the state', async () => {
    const none = await request(`${BASE}/api/state`);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'token-required');
    const wrong = await request(`${BASE}/api/state`, { headers: { Authorization: `Bearer ${TOKEN}x` } });
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'token-invalid');
    const query = await request(`${BASE}/api/state?token=${TOKEN}`);
    assert.equal(query.status, 401, '?token= is for the WebSocket only');
    const good = await request(`${BASE}/api/state`, { headers: auth });
    assert.equal(good.status, 200);
    const state = (await good.json()) as { accounts: unknown[]; calls: unknown[]; settings: Record<string, unknown>; missedCount: number };
    assert.deepEqual(state.accounts, []);
    assert.deepEqual(state.calls, []);
    assert.equal(state.missedCount, 0);
    assert.equal(state.settings['call.dnd'], false);
    assert.equal(good.headers.get('x-content-type-options'), 'nosniff');
  });

  test('a foreign Origin gets 403 even with the token; the engine\'s own origins pass', async () => {
    const evil = await request(`${BASE}/api/state`, { headers: { ...auth, Origin: 'https://evil.example' } });
    assert.equal(evil.status, 403);
    assert.equal(((await evil.json()) as { error: { code: string } }).error.code, 'forbidden-origin');
    const otherPort = await request(`${BASE}/api/state`, { headers: { ...auth, Origin: `http://127.0.0.1:${PORT + 1}` } });
    assert.equal(otherPort.status, 403);
    for (const origin of [`http://127.0.0.1:${PORT}`, `http://localhost:${PORT}`]) {
      assert.equal((await request(`${BASE}/api/state`, { headers: { ...auth, Origin: origin } })).status, 200, origin);
    }
  });

  test('DNS rebinding: a foreign Host gets 403 even with the token; 127.0.0.1, localhost and [::1] with the port pass', async () => {
    const rebound = await request(`http://attacker.example:${PORT}/api/state`, { headers: auth });
    assert.equal(rebound.status, 403);
    assert.equal(((await rebound.json()) as { error: { code: string } }).error.code, 'forbidden-host');
    assert.equal((await request(`http://127.0.0.1:${PORT + 1}/api/state`, { headers: auth })).status, 403, 'wrong port');
    for (const host of [`127.0.0.1:${PORT}`, `localhost:${PORT}`, `[::1]:${PORT}`]) {
      assert.equal((await request(`http://${host}/api/state`, { headers: auth })).status, 200, host);
    }
    assert.equal((await request(`http://attacker.example:${PORT}/`)).status, 403, 'the static UI too');
  });

  test('the UI is served without the token (a page saying it is not built when web/dist is missing)', async () => {
    const res = await request(`${BASE}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await res.text(), /not built/);
  });

  test('errors map to statuses in one place: 400 with the zod issues, 404, 409, 422, bad JSON 400, unknown route 404', async () => {
    const bad = await request(`${BASE}/api/calls`, json({ target: '' }));
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as { error: { code: string; issues: { path: string[] }[] } };
    assert.equal(body.error.code, 'invalid-argument');
    assert.deepEqual(body.error.issues[0]!.path, ['target']);
    assert.equal((await request(`${BASE}/api/calls/nope/answer`, { method: 'POST', headers: auth })).status, 404);
    assert.equal((await request(`${BASE}/api/accounts/99`, { method: 'DELETE', headers: auth })).status, 404);
    const number = await request(`${BASE}/api/calls`, json({ target: '1002' }));
    assert.equal(number.status, 422, 'a number needs an account');
    assert.match(((await number.json()) as { error: { message: string } }).error.message, /account/);
    const notJson = await request(`${BASE}/api/contacts`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{nope' });
    assert.equal(notJson.status, 400);
    assert.equal((await request(`${BASE}/api/nothing`, { headers: auth })).status, 404);
    const acc = await request(`${BASE}/api/accounts`, json({ aor: 'alice@127.0.0.1', enabled: false, password: 'pw' }));
    assert.equal(acc.status, 201);
    const account = (await acc.json()) as { id: number; hasPassword: boolean; registration: { state: string }; password?: string };
    assert.equal(account.hasPassword, true);
    assert.equal(account.password, undefined, 'the password is never returned');
    assert.equal(account.registration.state, 'disabled');
    const dup = await request(`${BASE}/api/accounts`, json({ aor: 'sip:alice@127.0.0.1' }));
    assert.equal(dup.status, 409);
    assert.equal((await request(`${BASE}/api/accounts/${account.id}`, { method: 'DELETE', headers: auth })).status, 200);
  });

  test('contacts: import a vCard and a CSV (quotes, commas, UTF-8), search, resolve in export, update, delete', async () => {
    const vcf = ['BEGIN:VCARD', 'VERSION:3.0', 'FN:Zoë Ångström', 'TEL;TYPE=CELL:+1 (555) 123-4567', 'END:VCARD', ''].join('\r\n');
    const r1 = await request(`${BASE}/api/contacts/import`, json({ text: vcf }));
    assert.equal(r1.status, 200);
    const rep1 = (await r1.json()) as { format: string; imported: number; ids: number[] };
    assert.deepEqual([rep1.format, rep1.imported], ['vcard', 1]);
    const csv = 'Name,Phone,Organisation\n"Smith, John","+44 20 7946 0958","ACME ""Labs"""\n';
    const r2 = await request(`${BASE}/api/contacts/import`, json({ format: 'csv', text: csv }));
    const rep2 = (await r2.json()) as { imported: number };
    assert.equal(rep2.imported, 1);
    const again = (await (await request(`${BASE}/api/contacts/import`, json({ text: vcf }))).json()) as { imported: number; skipped: unknown[] };
    assert.equal(again.imported, 0, 'duplicates are skipped');
    const found = (await (await request(`${BASE}/api/contacts?q=zoe`, { headers: auth })).json()) as { name: string; id: number }[];
    assert.deepEqual(found.map((c) => c.name), ['Zoë Ångström']);
    const smith = (await (await request(`${BASE}/api/contacts?q=smith`, { headers: auth })).json()) as { name: string; organisation: string }[];
    assert.deepEqual([smith[0]!.name, smith[0]!.organisation], ['Smith, John', 'ACME "Labs"']);
    const vcard = await request(`${BASE}/api/contacts/export.vcf`, { headers: auth });
    assert.match(vcard.headers.get('content-type') ?? '', /text\/vcard/);
    assert.match(await vcard.text(), /FN:Zoë Ångström/);
    const id = found[0]!.id;
    const patched = await request(`${BASE}/api/contacts/${id}`, { ...json({ favourite: true }), method: 'PATCH' });
    assert.equal(((await patched.json()) as { favourite: boolean }).favourite, true);
    assert.equal((await request(`${BASE}/api/contacts/${id}`, { method: 'DELETE', headers: auth })).status, 200);
    const empty = await request(`${BASE}/api/contacts/import`, json({ text: '   ' }));
    assert.equal(empty.status, 422);
  });

  test('settings: PATCH validates each key and answers every setting', async () => {
    const res = await request(`${BASE}/api/settings`, { ...json({ 'call.dnd': true, 'audio.codecs': ['PCMA', 'PCMU'] }), method: 'PATCH' });
    assert.equal(res.status, 200);
    const s = (await res.json()) as Record<string, unknown>;
    assert.equal(s['call.dnd'], true);
    assert.deepEqual(s['audio.codecs'], ['PCMA', 'PCMU']);
    const bad = await request(`${BASE}/api/settings`, { ...json({ 'call.dnd': 'yes' }), method: 'PATCH' });
    assert.equal(bad.status, 400);
    const unknown = await request(`${BASE}/api/settings`, { ...json({ 'no.such': 1 }), method: 'PATCH' });
    assert.equal(unknown.status, 400);
    await request(`${BASE}/api/settings`, { ...json({ 'call.dnd': false }), method: 'PATCH' });
  });
});
