/**
 * The first minute of a new user: `softphone serve` on an empty profile, the page opened from
 * the printed URL, no account. The phone must be usable at once for the echo test (and direct
 * sip: calls): choose "use the phone without an account", dial `echo`, and the call connects.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { EngineState } from '../../src/phone/engine-schemas.js';
import { startCli } from '../support/cli.js';
import type { CliProcess } from '../support/cli.js';
import { skipUnless } from '../support/peers.js';
import { freeTcpPort } from '../support/ports.js';
import { waitFor } from '../support/process.js';
import { CHROMIUM, CHROMIUM_ARGS, SCREENS, ensureWebBuilt } from '../support/web-ui.js';

const skip = skipUnless('chromium');
let dir: string;
let engine: CliProcess;
let context: BrowserContext;
let page: Page;
let url: URL;

before(async () => {
  if (skip) return;
  ensureWebBuilt();
  mkdirSync(SCREENS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'softphone-first-run-'));
  const port = await freeTcpPort();
  engine = startCli(['serve', '--profile', join(dir, 'profile'), '--port', String(port)]);
  const line = await engine.waitForLine(/softphone is running: (http:\S+)/, 30000);
  url = new URL(/softphone is running: (http:\S+)/.exec(line)![1]!);
  const { chromium } = await import('playwright-core');
  context = await chromium.launchPersistentContext(join(dir, 'chromium'), { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1100, height: 800 } });
  page = await context.newPage();
});

after(async () => {
  await context?.close();
  await engine?.interrupt();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function state(): Promise<EngineState> {
  const token = new URLSearchParams(url.hash.slice(1)).get('token')!;
  const r = await fetch(new URL('/api/state', url), { headers: { authorization: `Bearer ${token}` } });
  return (await r.json()) as EngineState;
}

test('first run without an account: the echo test works at once from the dial pad', { skip }, async () => {
  await page.goto(url.href);
  await page.getByRole('heading', { name: 'Set up your phone' }).waitFor({ timeout: 15000 });
  await page.getByRole('button', { name: 'Use the phone without an account' }).click();
  const entry = page.getByLabel('Number or SIP address to call');
  await entry.fill('echo');
  await page.screenshot({ path: join(SCREENS, 'first-run-no-account-dialpad.png') });
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  const established = await waitFor(
    'the echo call to be established',
    async () => (await state()).calls.find((c) => c.state === 'established'),
    15000,
    200,
  );
  assert.equal(established.accountId, null);
  await page.screenshot({ path: join(SCREENS, 'first-run-echo-call.png') });
  await page.getByRole('button', { name: /^Hang up/ }).first().click();
  await waitFor('the call to end', async () => ((await state()).calls.every((c) => c.state === 'ended') ? true : undefined), 10000, 200);
});
