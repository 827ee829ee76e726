/**
 * The command as shipped: dist/bin/softphone.js, the esbuild bundle (scripts/bundle.mjs) that
 * `npm start` and `npx softphone` run, not the sources under tsx that the other CLI tests use.
 * It serves the UI and the API on node:http with the token and Origin rules, and its media
 * worker's entry is found beside the bundle (two bundled processes hear each other's tone
 * through worker threads). With no command it is the engine too, with its profile in
 * $XDG_DATA_HOME/softphone, and `--open` hands the URL to the desktop's opener (xdg-open).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dominantFrequency } from '../../src/media/tone-analysis.js';
import { readRecording } from '../support/audio.js';
import { BUILT_ENTRY, runCli, startCli } from '../support/cli.js';
import { freeSipPortPair } from '../support/ports.js';
import { waitFor } from '../support/process.js';

const skip = existsSync(BUILT_ENTRY) ? false : `${BUILT_ENTRY} is missing: run npm run build (npm test does)`;

/** A raw HTTP request (node:http, so Host and Origin are ours to set). */
function get(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the bundle serves: the URL carries the token; the UI without it; /api needs it; a foreign Origin or Host is refused', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-built-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const engine = startCli(['serve', '--profile', dir, '--port', '0'], { built: true });
  t.after(() => engine.interrupt(5000));
  const line = await engine.waitForLine(/softphone is running: /, 20000);
  const m = /http:\/\/127\.0\.0\.1:(\d+)\/#token=(\S+)/.exec(line);
  assert.ok(m, line);
  const port = Number(m[1]);
  const token = m[2]!;
  const host = `127.0.0.1:${port}`;

  const ui = await get(port, '/', { Host: host });
  assert.equal(ui.status, 200);
  assert.match(ui.type ?? '', /^text\/html/);
  assert.match(ui.body, /<html|softphone/i);

  assert.equal((await get(port, '/api/state', { Host: host })).status, 401);
  assert.equal((await get(port, '/api/state', { Host: host, Authorization: `Bearer ${token}x` })).status, 401);
  const state = await get(port, '/api/state', { Host: host, Authorization: `Bearer ${token}` });
  assert.equal(state.status, 200);
  assert.deepEqual((JSON.parse(state.body) as { accounts: unknown[] }).accounts, []);
  assert.equal((await get(port, '/api/state', { Host: host, Authorization: `Bearer ${token}`, Origin: 'https://evil.example' })).status, 403);
  assert.equal((await get(port, '/api/state', { Host: `evil.example:${port}`, Authorization: `Bearer ${token}` })).status, 403);
  assert.equal((await get(port, '/api/nothing-here', { Host: host, Authorization: `Bearer ${token}` })).status, 404);

  const done = await engine.interrupt(5000);
  assert.equal(done.code, 0, done.stderr);
});

test('the bundle\'s media worker: call ↔ listen with --media-workers 1 hear each other (440 Hz ↔ 1000 Hz)', { skip, timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-built-media-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freeSipPortPair();
  const theirs = join(dir, 'listener.wav');
  const ours = join(dir, 'caller.wav');
  const listener = startCli(['listen', '--sip-port', String(port), '--auto-answer', '--max-calls', '1', '--media-workers', '1', '--rtp-ports', '32200-32299', '--play', 'tone:1000', '--record', theirs], { built: true });
  t.after(() => listener.interrupt(2000));
  await listener.waitForLine(/listening on/, 20000);
  const r = await runCli(['call', `sip:softphone@127.0.0.1:${port}`, '--media-workers', '1', '--rtp-ports', '32300-32399', '--play', 'tone:440', '--record', ours, '--duration', '3'], {
    built: true,
    timeoutMs: 30000,
  });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  await listener.waitForLine(/recorded to/, 10000);
  const f1 = dominantFrequency(readRecording(ours).samples, 8000);
  const f2 = dominantFrequency(readRecording(theirs).samples, 8000);
  assert.ok(f1 !== undefined && Math.abs(f1 - 1000) <= 20, `the caller hears 1000 Hz, got ${f1}`);
  assert.ok(f2 !== undefined && Math.abs(f2 - 440) <= 8.8, `the listener hears 440 Hz, got ${f2}`);
});

test('no command: the engine on the XDG profile (token file 0600); --open hands the URL with the token to xdg-open', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-built-xdg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The desktop's opener, as a script on PATH that writes down what it was given.
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const opened = join(dir, 'opened.txt');
  writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${opened}'\n`);
  chmodSync(join(bin, 'xdg-open'), 0o755);
  const env = { HOME: join(dir, 'home'), XDG_DATA_HOME: join(dir, 'data'), PATH: `${bin}:${process.env.PATH ?? ''}` };
  const engine = startCli(['--port', '0', '--open'], { built: true, env });
  t.after(() => engine.interrupt(5000));
  const line = await engine.waitForLine(/softphone is running: /, 20000);
  const url = /(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(line)?.[1];
  assert.ok(url, line);
  const profile = join(dir, 'data', 'softphone');
  assert.equal(statSync(join(profile, 'api-token')).mode & 0o777, 0o600, 'the token file is readable only by the user');
  assert.equal(statSync(profile).mode & 0o777, 0o700);
  assert.ok(url.endsWith(readFileSync(join(profile, 'api-token'), 'utf8').trim()), 'the URL carries the stored token');
  const given = await waitFor('xdg-open called', () => (existsSync(opened) ? readFileSync(opened, 'utf8').trim() : undefined), 10_000, 50);
  assert.equal(given, url);
  const done = await engine.interrupt(5000);
  assert.equal(done.code, 0, done.stderr);
});

test('the bin runs by its own #! line (env -S node with a 2 MB young generation, docs/decisions.md)', { skip }, () => {
  const first = readFileSync(BUILT_ENTRY, 'utf8').split('\n', 1)[0];
  assert.equal(first, '#!/usr/bin/env -S node --max-semi-space-size=2');
  assert.ok(statSync(BUILT_ENTRY).mode & 0o100, 'executable');
  const r = spawnSync(BUILT_ENTRY, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '0.1.0');
});
