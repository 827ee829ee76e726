/**
 * The API on a real socket (127.0.0.1, a free port): the same guard over HTTP and on the
 * WebSocket upgrade, the first `state` message, and live events.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createNodeEngine } from '../main/node-engine.js';
import type { PhoneEngine } from '../phone/engine.js';
import type { ApiServer } from './server.js';
import { startApiServer } from './server.js';
import { loadOrCreateToken, TOKEN_FILE } from './token.js';

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the first message, or rejects with the HTTP status the upgrade got. */
function openWs(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; first: { type: string; data: unknown } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('message', (m) => resolve({ ws, first: JSON.parse(String(m)) as { type: string; data: unknown } }));
  });
}

describe('API server on 127.0.0.1', () => {
  let dir: string;
  let engine: PhoneEngine;
  let server: ApiServer;
  let token: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'softphone-api-'));
    const profileDir = join(dir, 'profile');
    engine = await createNodeEngine({ profileDir });
    token = loadOrCreateToken(profileDir);
    server = await startApiServer({ engine, token, port: 0 });
  });
  after(async () => {
    await server?.close();
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the token file is created 0600 and reused', () => {
    const path = join(dir, 'profile', TOKEN_FILE);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(loadOrCreateToken(join(dir, 'profile')), token);
    assert.ok(token.length >= 43);
  });

  test('HTTP: no token 401, wrong token 401, foreign Origin 403, foreign Host 403; a good request 200', async () => {
    const p = server.port;
    assert.equal((await get(p, '/api/state')).status, 401);
    assert.equal((await get(p, '/api/state', { Authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await get(p, '/api/state', { Authorization: `Bearer ${token}`, Origin: 'http://evil.example' })).status, 403);
    assert.equal((await get(p, '/api/state', { Authorization: `Bearer ${token}`, Host: 'evil.example' })).status, 403);
    assert.equal((await get(p, '/api/state', { Authorization: `Bearer ${token}`, Host: `evil.example:${p}` })).status, 403);
    const ok = await get(p, '/api/state', { Authorization: `Bearer ${token}`, Origin: `http://127.0.0.1:${p}` });
    assert.equal(ok.status, 200);
    assert.ok(Array.isArray((JSON.parse(ok.body) as { accounts: unknown }).accounts));
    assert.equal((await get(p, '/')).status, 200, 'the UI needs no token');
  });

  test('WebSocket: refused without a token, with a wrong token, from a foreign Origin or Host; with the token the first message is the state', async () => {
    const base = `ws://127.0.0.1:${server.port}/api/events`;
    await assert.rejects(openWs(base), /status 401/);
    await assert.rejects(openWs(`${base}?token=wrong`), /status 401/);
    await assert.rejects(openWs(`${base}?token=${token}`, { Origin: 'http://evil.example' }), /status 403/);
    await assert.rejects(openWs(`${base}?token=${token}`, { Host: 'evil.example' }), /status 403/);
    const { ws, first } = await openWs(`${base}?token=${token}`, { Origin: `http://localhost:${server.port}` });
    assert.equal(first.type, 'state');
    assert.ok(Array.isArray((first.data as { calls: unknown[] }).calls));
    // Live events follow: a settings change arrives as {type:'settings'}.
    const next = new Promise<{ type: string; data: Record<string, unknown> }>((resolve) => ws.once('message', (m) => resolve(JSON.parse(String(m)) as { type: string; data: Record<string, unknown> })));
    engine.updateSettings({ 'call.autoAnswerDelayMs': 1500 });
    const ev = await next;
    assert.equal(ev.type, 'settings');
    assert.equal(ev.data['call.autoAnswerDelayMs'], 1500);
    ws.close();
  });

  test('a taken port falls back to a free one', async () => {
    const second = await startApiServer({ engine, token, port: server.port });
    try {
      assert.notEqual(second.port, server.port);
    } finally {
      await second.close();
    }
  });
});
