/**
 * The phone end to end, as a person uses it: a real Kamailio (registrar and proxy on
 * 127.0.0.1), two baresips (1002 and 1003: registered, auto-answer, each sending a 1000 Hz
 * tone and recording), the real engine (`softphone serve --profile DIR --port P`, a child
 * process) serving the built UI, and Debian's chromium driven by playwright-core with fake
 * media devices whose microphone is a 440 Hz WAV. Everything goes through the page (clicks and
 * typing); baresip is driven over ctrl_tcp, the engine is only read (GET /api/state).
 *
 *   1. first run: the account 1001 is created in the form and shows registered;
 *   2. a call to 1002 from the dial pad, answered by baresip, hung up with the button after 5 s;
 *      audio both ways judged by frequency when the browser audio bridge is there;
 *   3. 1002 calls the page: it rings, shows the caller, is answered by a click, hung up;
 *   4. call waiting: in a call with 1002, 1003 calls; answering it holds the first (the UI and
 *      the engine agree); switch back; hang up both;
 *   5. history shows all the calls after a page reload and after an engine restart.
 *
 * Screenshots of each step go to test-results/screens/e2e-*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { CallInfo, EngineState, HistoryEntry } from '../../src/phone/engine-schemas.js';
import { describeFigures, readRecording, toneFigures, toneProblems } from '../support/audio.js';
import type { Baresip } from '../support/baresip.js';
import { sineWav, startBaresip } from '../support/baresip.js';
import { startCli } from '../support/cli.js';
import type { CliProcess } from '../support/cli.js';
import type { Kamailio } from '../support/kamailio.js';
import { startKamailio } from '../support/kamailio.js';
import { skipUnless } from '../support/peers.js';
import { freeTcpPort } from '../support/ports.js';
import { delay, waitFor } from '../support/process.js';
import { CHROMIUM, CHROMIUM_ARGS, SCREENS, ensureWebBuilt } from '../support/web-ui.js';

const PAGE_HZ = 440;
const BARESIP_HZ = 1000;
const CALL_SECONDS = 5;

const skip = skipUnless('chromium', 'kamailio', 'baresip');



/** `softphone serve` on a profile, as a person starts it; stopped by its PID (SIGINT, then SIGKILL). */
interface Engine {
  proc: CliProcess;
  /** The URL it printed, with #token=. */
  url: string;
  origin: string;
  token: string;
  /** Where direct SIP calls reach it, as it printed. */
  direct: string;
  api<T>(path: string): Promise<T>;
}

async function startEngine(profile: string): Promise<Engine> {
  const port = await freeTcpPort();
  const proc = startCli(['serve', '--profile', profile, '--port', String(port)]);
  let line: string;
  try {
    line = await proc.waitForLine(/^softphone is running: /, 30_000);
  } catch (err) {
    await proc.interrupt(2000);
    throw err;
  }
  const url = line.replace(/^softphone is running: /, '').trim();
  // Never the person's own profile: serve must say it runs on ours.
  const used = (await proc.waitForLine(/^profile: /, 5000)).replace(/^profile: /, '').trim();
  if (used !== profile || new URL(url).port !== String(port)) {
    await proc.interrupt(5000);
    assert.fail(`serve ran on profile ${used} at ${url}, not ${profile} on port ${port}`);
  }
  const direct = (await proc.waitForLine(/^direct SIP calls: /, 5000)).replace(/^direct SIP calls: /, '').trim();
  assert.match(direct, /^sip:softphone@127\.0\.0\.1:\d+$/);
  const u = new URL(url);
  const token = /#token=(.+)$/.exec(url)?.[1] ?? '';
  assert.ok(token, `no token in ${url}`);
  return {
    proc,
    url,
    origin: u.origin,
    token,
    direct,
    async api<T>(path: string): Promise<T> {
      const res = await fetch(`${u.origin}${path}`, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) });
      assert.equal(res.status, 200, `GET ${path}: ${res.status}`);
      return (await res.json()) as T;
    },
  };
}

/**
 * The microphone's WAV at about -3 dBFS: chromium's fake capture plays it quieter (about
 * -27 dBFS RMS for sineWav's -12 dBFS peak, measured), and the page's capture applies noise
 * suppression and gain control on top, which left it below the analysis's signal line.
 */
function loud(wav: Buffer): Buffer {
  const out = Buffer.from(wav);
  for (let i = 44; i + 1 < out.length; i += 2) out.writeInt16LE(Math.max(-32767, Math.min(32767, out.readInt16LE(i) * 3)), i);
  return out;
}

/** RMS of a whole recording (s16), to tell silence from a quiet tone in a report. */
function rms(samples: Int16Array): number {
  let sum = 0;
  for (const v of samples) sum += v * v;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

describe('the phone end to end: web UI in chromium, engine, Kamailio, two baresips', { skip }, () => {
  let kam: Kamailio;
  let b2: Baresip;
  let b3: Baresip;
  let engine: Engine | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let dir: string;
  let profile: string;
  const pageErrors: string[] = [];
  const sentAudio = { frames: 0, samples: 0, sumSq: 0 };
  /** What the calls step 2 made, for the audio test. */
  let call2: { answeredMs: number; heard: { sampleRate: number; samples: number[] } | null; recordingsBefore: number } | undefined;

  before(async () => {
    ensureWebBuilt();
    mkdirSync(SCREENS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'softphone-e2e-'));
    profile = join(dir, 'profile');
    const pageTone = join(dir, 'mic-440.wav');
    writeFileSync(pageTone, loud(sineWav(PAGE_HZ, 30, 48000)));
    // 60 s: baresip 1.0 ends a call when its aufile source reaches the end of the file.
    const baresipTone = join(dir, 'tone-1000.wav');
    writeFileSync(baresipTone, sineWav(BARESIP_HZ, 60));
    kam = await startKamailio();
    b2 = await startBaresip({ user: '1002', password: kam.users['1002'], registrar: kam, record: true, audioFile: baresipTone });
    b3 = await startBaresip({ user: '1003', password: kam.users['1003'], registrar: kam, record: true, audioFile: baresipTone });
    await Promise.all([b2.waitRegistered(5000), b3.waitRegistered(5000)]);
    engine = await startEngine(profile);
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(join(dir, 'chromium'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        ...CHROMIUM_ARGS,
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${pageTone}`,
        '--autoplay-policy=no-user-gesture-required',
      ],
      permissions: ['microphone', 'notifications'],
      viewport: { width: 1200, height: 820 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    if (process.env.SOFTPHONE_UI_DEBUG) {
      page.on('console', (m) => console.log(`[page] ${m.text()}`));
      page.on('websocket', (ws) => ws.on('framereceived', (f) => console.log(`[ws] ${String(f.payload).slice(0, 300)}`)));
    }
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // What the page sends on the audio bridge's socket, to tell a silent microphone from a
    // silent path in the engine when baresip hears nothing.
    page.on('websocket', (ws) => {
      if (!ws.url().includes('/api/audio')) return;
      ws.on('framesent', (f) => {
        if (typeof f.payload === 'string') return;
        const b = f.payload;
        sentAudio.frames++;
        for (let i = 0; i + 1 < b.length; i += 2) {
          const v = b.readInt16LE(i);
          sentAudio.sumSq += v * v;
          sentAudio.samples++;
        }
      });
    });
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await engine?.proc.interrupt(5000);
    await b2?.stop();
    await b3?.stop();
    await kam?.stop();
    for (const d of [b2?.runDir, b3?.runDir, kam?.runDir, dir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  const nav = (name: RegExp) => page.getByRole('navigation').getByRole('button', { name });
  /** On a failure, a screenshot of what the page showed, and the engine's output. */
  const onFailure = async (step: string, err: unknown): Promise<never> => {
    await page?.screenshot({ path: join(SCREENS, `e2e-FAILED-${step}.png`), fullPage: true }).catch(() => undefined);
    const out = engine ? `\nengine stdout:\n${engine.proc.stdout().slice(-3000)}\nengine stderr:\n${engine.proc.stderr().slice(-3000)}` : '';
    if (err instanceof Error) err.message += out;
    throw err;
  };
  const step = (name: string, timeout: number, fn: (t: TestContext) => Promise<void>) =>
    test(name, { timeout }, async (t) => {
      try {
        await fn(t);
      } catch (err) {
        await onFailure(name.slice(0, 2).replace(/\W/g, ''), err);
      }
    });
  const shot = (name: string) => page.screenshot({ path: join(SCREENS, `e2e-${name}.png`), fullPage: true });
  const state = () => engine!.api<EngineState>('/api/state');
  const calls = async () => (await state()).calls.filter((c) => c.state !== 'ended');
  const byUser = (list: CallInfo[], user: string) => list.find((c) => c.remote.uri.includes(`sip:${user}@`));
  /** The call screen's hang-up button for the call shown. */
  const hangUp = (name: string) => page.getByRole('button', { name: `Hang up ${name} (H)` });

  /** Types `digits` on the on-screen keypad, then presses Call. */
  async function dialFromPad(digits: string): Promise<void> {
    const pad = page.getByRole('group', { name: 'Keypad' });
    for (const d of digits) await pad.getByRole('button', { name: new RegExp(`^${d}( |$)`) }).click();
    assert.equal(await page.getByLabel('Number or SIP address to call').inputValue(), digits);
    await page.getByRole('button', { name: 'Call', exact: true }).click();
  }

  async function established(user: string): Promise<CallInfo> {
    return waitFor(`engine: call with ${user} established`, async () => {
      const c = byUser(await calls(), user);
      return c?.state === 'established' ? c : undefined;
    }, 10_000);
  }

  step('1. first run: the account 1001 is created in the form and registers with Kamailio', 60_000, async () => {
    await page.goto(engine!.url);
    await page.getByRole('heading', { name: 'Set up your phone' }).waitFor();
    assert.equal(new URL(page.url()).hash, '', 'the token leaves the address bar');
    await page.getByLabel('User', { exact: true }).fill('1001');
    await page.getByLabel('Domain', { exact: true }).fill('127.0.0.1');
    await page.getByLabel('Password', { exact: true }).fill(kam.users['1001']!);
    await page.getByLabel('Display name', { exact: true }).fill('Front Desk');
    await page.getByText('Server settings (optional)').click();
    await page.getByLabel('Registrar', { exact: true }).fill(`sip:127.0.0.1:${kam.udpPort}`);
    await page.getByLabel('Transport', { exact: true }).selectOption('udp');
    await shot('01-first-run-filled');
    await page.getByRole('button', { name: 'Save and register' }).click();
    await page.getByText(/^Registered/).first().waitFor({ timeout: 10_000 });
    await shot('02-registered-dial-pad');
    await nav(/^Accounts/).click();
    await page.getByText(/^Registered/).first().waitFor();
    await page.getByText(`Without an account, other SIP phones call this one directly at ${engine!.direct}.`).waitFor();
    await shot('03-accounts');
    const s = await state();
    assert.equal(s.accounts.length, 1);
    assert.equal(s.accounts[0]!.aor, 'sip:1001@127.0.0.1');
    assert.equal(s.accounts[0]!.registration.state, 'registered');
    assert.equal((await kam.bindings('1001')).length, 1, 'Kamailio has one binding for 1001');
    await nav(/^Phone/).click();
  });

  step(`2. the page calls 1002 from the dial pad; baresip answers; hung up with the button after ${CALL_SECONDS} s`, 60_000, async () => {
    const from = b2.events.length;
    const recordingsBefore = b2.recordings().length;
    await dialFromPad('1002');
    await page.getByRole('heading', { name: '1002' }).waitFor();
    await b2.waitForEvent('CALL_ESTABLISHED', 10_000, { after: from });
    const up = await established('1002');
    await page.getByText(up.codec ?? 'PCM', { exact: false }).first().waitFor();
    const answeredAt = Date.now();
    // The browser audio bridge (web/src/audio.ts) exposes a tap of what the page played; when
    // it is there, the call screen must say audio is flowing.
    const bridge = (await page.evaluate('typeof window.__softphoneAudioTap')) === 'function';
    if (bridge) await page.getByRole('status', { name: 'Audio' }).waitFor({ timeout: 5000 });
    await delay(1500);
    await shot('04-outgoing-call-established');
    await delay(CALL_SECONDS * 1000 - 1500);
    await hangUp('1002').click();
    const answeredMs = Date.now() - answeredAt;
    await b2.waitForEvent('CALL_CLOSED', 10_000, { after: from });
    const heard = bridge ? ((await page.evaluate('window.__softphoneAudioTap()')) as { sampleRate: number; samples: number[] }) : null;
    await page.getByLabel('Number or SIP address to call').waitFor();
    await waitFor('engine: no calls', async () => ((await calls()).length === 0 ? true : undefined), 5000);
    await shot('05-after-hangup');
    call2 = { answeredMs, heard, recordingsBefore };
  });

  test('2b. audio both ways: baresip recorded the page\'s 440 Hz, the page heard baresip\'s 1000 Hz', { timeout: 30_000 }, async (t: TestContext) => {
    assert.ok(call2, 'step 2 did not run');
    if (!call2.heard) {
      t.skip('browser audio bridge missing: the built page has no window.__softphoneAudioTap (web/src/audio.ts with its /api/audio WebSocket bridge), so neither direction was measured');
      return;
    }
    const dec = await waitFor('baresip 1002 dump-*-dec.wav', () => b2.recordings().filter((f) => f.endsWith('-dec.wav')).sort()[call2!.recordingsBefore / 2], 5000);
    t.diagnostic(`the page sent ${sentAudio.frames} binary frames on /api/audio, RMS ${Math.sqrt(sentAudio.sumSq / Math.max(1, sentAudio.samples)).toFixed(0)}`);
    const decRec = readRecording(dec);
    const f = toneFigures(decRec, call2.answeredMs);
    t.diagnostic(`baresip heard the page: ${describeFigures(f)}, RMS ${rms(decRec.samples).toFixed(0)}`);
    const rec = { sampleRate: call2.heard.sampleRate, samples: Int16Array.from(call2.heard.samples) };
    const g = toneFigures(rec, call2.answeredMs);
    t.diagnostic(`the page was given to play: ${describeFigures(g)}, RMS ${rms(rec.samples).toFixed(0)} (at ${rec.sampleRate} Hz)`);
    // The browser path adds capture and playout latency to the lead-in, and the mic goes
    // through Chrome's echo cancellation, noise suppression and gain control: coverage 0.8,
    // gaps up to 200 ms, a 1 s lead.
    const loose = { answeredMs: call2.answeredMs, minCoverage: 0.8, maxGapMs: 200, maxLeadMs: 1000 };
    assert.equal(toneProblems(f, { hz: PAGE_HZ, ...loose }), undefined, `baresip's recording of the page (${dec})`);
    assert.equal(toneProblems(g, { hz: BARESIP_HZ, ...loose }), undefined, 'what the page played of baresip');
  });

  step('3. 1002 calls the page: it rings with the caller shown, is answered by a click, then hung up', 60_000, async () => {
    const from = b2.events.length;
    assert.equal((await b2.command('dial', 'sip:1001@127.0.0.1')).ok, true);
    const answer = page.getByRole('button', { name: 'Answer call from 1002 (A)' });
    await answer.waitFor({ timeout: 10_000 });
    await page.getByRole('heading', { name: '1002' }).waitFor();
    await page.getByText('Incoming call', { exact: true }).waitFor();
    await page.waitForFunction(`document.title === 'Incoming call: 1002'`);
    const ringing = byUser(await calls(), '1002');
    assert.equal(ringing?.state, 'incoming');
    assert.equal(ringing?.direction, 'incoming');
    await shot('06-incoming-ringing');
    await answer.click();
    await b2.waitForEvent('CALL_ESTABLISHED', 10_000, { after: from });
    await established('1002');
    await hangUp('1002').waitFor();
    await delay(2000);
    await shot('07-incoming-answered');
    await hangUp('1002').click();
    await b2.waitForEvent('CALL_CLOSED', 10_000, { after: from });
    await page.getByLabel('Number or SIP address to call').waitFor();
    await waitFor('engine: no calls', async () => ((await calls()).length === 0 ? true : undefined), 5000);
  });

  step('4. call waiting: 1003 calls during a call with 1002; answering holds 1002; switch back; hang up both', 90_000, async () => {
    const from2 = b2.events.length;
    const from3 = b3.events.length;
    // This time the number is typed into the field, as a person with a keyboard would.
    await page.getByLabel('Number or SIP address to call').click();
    await page.keyboard.type('1002');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    await b2.waitForEvent('CALL_ESTABLISHED', 10_000, { after: from2 });
    await established('1002');
    await hangUp('1002').waitFor();

    assert.equal((await b3.command('dial', 'sip:1001@127.0.0.1')).ok, true);
    const answer3 = page.getByRole('button', { name: 'Answer 1003, holding the other call' });
    await answer3.waitFor({ timeout: 10_000 });
    await page.getByRole('list', { name: 'Lines' }).waitFor();
    const waiting = await calls();
    assert.equal(byUser(waiting, '1003')?.state, 'incoming', 'the second call rings');
    assert.equal(byUser(waiting, '1002')?.state, 'established');
    assert.equal(byUser(waiting, '1002')?.hold.local, false, 'the first call is not held while the second rings');
    await shot('08-call-waiting');

    await answer3.click();
    await b3.waitForEvent('CALL_ESTABLISHED', 10_000, { after: from3 });
    await page.getByRole('heading', { name: '1003' }).waitFor();
    await page.getByRole('button', { name: 'Switch to 1002' }).waitFor();
    await page.locator('.line', { hasText: '1002' }).getByText('On hold').waitFor();
    const held = await waitFor('engine: 1002 on hold, 1003 up', async () => {
      const list = await calls();
      const c2 = byUser(list, '1002');
      const c3 = byUser(list, '1003');
      return c2?.hold.local && c3?.state === 'established' && !c3.hold.local ? list : undefined;
    }, 10_000);
    assert.equal(held.length, 2);
    await shot('09-second-answered-first-held');

    await page.getByRole('button', { name: 'Switch to 1002' }).click();
    await page.getByRole('heading', { name: '1002' }).waitFor();
    await page.getByRole('button', { name: 'Switch to 1003' }).waitFor();
    await waitFor('engine: 1003 on hold, 1002 resumed', async () => {
      const list = await calls();
      const c2 = byUser(list, '1002');
      const c3 = byUser(list, '1003');
      return c3?.hold.local && c2?.state === 'established' && !c2.hold.local ? true : undefined;
    }, 10_000);
    await shot('10-switched-back');

    await hangUp('1002').click();
    await b2.waitForEvent('CALL_CLOSED', 10_000, { after: from2 });
    // The held call is what is left on the screen.
    await page.getByRole('heading', { name: '1003' }).waitFor();
    await shot('11-one-left-on-hold');
    await hangUp('1003').click();
    await b3.waitForEvent('CALL_CLOSED', 10_000, { after: from3 });
    await page.getByLabel('Number or SIP address to call').waitFor();
    await waitFor('engine: no calls', async () => ((await calls()).length === 0 ? true : undefined), 5000);
  });

  /** The history list as the page shows it: each row's accessible label. */
  async function historyRows(): Promise<string[]> {
    await nav(/^History/).click();
    await page.locator('.history-row').first().waitFor();
    await waitFor('4 history rows', async () => ((await page.locator('.history-row').count()) >= 4 ? true : undefined), 10_000);
    return page.locator('.history-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
  }

  const EXPECTED = [
    'Incoming call from 1003, Answered',
    'Outgoing call to 1002, Answered',
    'Incoming call from 1002, Answered',
    'Outgoing call to 1002, Answered',
  ];

  step('5. history shows all the calls, after a page reload and after an engine restart', 120_000, async () => {
    const rows = await historyRows();
    await shot('12-history');
    assert.deepEqual(rows, EXPECTED, 'newest first: the four calls of steps 2-4');
    const engineRows = (await engine!.api<{ entries: HistoryEntry[] }>('/api/history?limit=20')).entries;
    assert.equal(engineRows.length, 4);
    assert.ok(engineRows.every((e) => e.outcome === 'answered' && (e.durationMs ?? 0) > 0), JSON.stringify(engineRows));

    await page.reload();
    assert.deepEqual(await historyRows(), EXPECTED, 'after a page reload');
    await shot('13-history-after-reload');

    // Stop the engine (Ctrl-C, as a person does) and start it again on the same profile.
    const stopped = await engine!.proc.interrupt(10_000);
    assert.equal(stopped.code, 0, `serve did not stop cleanly:\n${stopped.stdout}\n${stopped.stderr}`);
    await page.getByText('Lost the connection to the phone engine; reconnecting…').waitFor({ timeout: 10_000 });
    await shot('14-engine-stopped');
    engine = await startEngine(profile);
    await page.goto(engine.url);
    await page.getByText(/^Registered/).first().waitFor({ timeout: 10_000 });
    assert.deepEqual(await historyRows(), EXPECTED, 'after an engine restart');
    await shot('15-history-after-restart');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});
