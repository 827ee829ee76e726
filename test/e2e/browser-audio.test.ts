/**
 * The browser as the handset, end to end: the real engine (createNodeEngine with a temporary
 * profile) serving the built UI and /api/audio, Debian's chromium with fake media devices
 * whose microphone is a 440 Hz WAV. The page dials `echo` (POST /api/calls from the page,
 * with its token); once the call is up the page attaches its microphone and speaker. Checked by
 * frequency: what the engine's call sent to the echo service (the page's microphone,
 * resampled to 8 kHz) and what the page was given to play (the echo, back at 48 kHz).
 * A screenshot of the call screen goes to test-results/screens/browser-audio-call.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { createNodeEngine } from '../../src/main/node-engine.js';
import type { AudioSource } from '../../src/media/audio-frame.js';
import { dominantFrequency } from '../../src/media/tone-analysis.js';
import { writeWav } from '../../src/media/wav.js';
import type { PhoneEngine } from '../../src/phone/engine.js';
import { skipUnless } from '../support/peers.js';
import { CHROMIUM, CHROMIUM_ARGS, DIST, SCREENS, ensureWebBuilt } from '../support/web-ui.js';

const TOKEN = 'browser-audio-e2e-token';
const skip = skipUnless('chromium');



let dir: string;
let engine: PhoneEngine;
let server: ApiServer;
let context: BrowserContext;
let page: Page;
/** What each call sent (its AudioSource), at the call's rate. */
const sent = new Map<string, { rate: number; samples: number[] }>();

before(async () => {
  if (skip) return;
  ensureWebBuilt();
  mkdirSync(SCREENS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'softphone-browser-audio-'));
  const rate = 48000;
  const tone = new Int16Array(rate * 10);
  for (let i = 0; i < tone.length; i++) tone[i] = Math.round(12000 * Math.sin((2 * Math.PI * 440 * i) / rate));
  const wav = join(dir, 'tone-440.wav');
  writeFileSync(wav, writeWav(tone, rate));
  // The engine's default call audio (the hub), with a tee on what each call sends.
  const eng: PhoneEngine = (engine = await createNodeEngine({
    profileDir: join(dir, 'profile'),
    audio: ({ id }) => {
      const a = eng.audioHub.callAudio(id);
      return {
        sink: a.sink,
        source: (format): AudioSource => {
          const s = a.source!(format);
          const rec = { rate: format.sampleRate, samples: [] as number[] };
          sent.set(id, rec);
          return {
            format,
            read(out) {
              const more = s.read(out);
              rec.samples.push(...out);
              return more;
            },
          };
        },
      };
    },
  }));
  // An account (disabled: no registrar here) so the page shows the dial pad; echo needs none.
  engine.createAccount({ aor: 'sip:page@127.0.0.1', enabled: false });
  server = await startApiServer({ engine, token: TOKEN, port: 0, webDir: DIST });
  const { chromium } = await import('playwright-core');
  context = await chromium.launchPersistentContext(join(dir, 'chromium'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`,
      '--autoplay-policy=no-user-gesture-required',
    ],
    viewport: { width: 1000, height: 800 },
  });
  page = context.pages()[0] ?? (await context.newPage());
});

after(async () => {
  await context?.close();
  await server?.close();
  await engine?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the page dials echo: the engine’s call carries the page’s 440 Hz, and the page plays it back at 440 Hz', { skip, timeout: 60_000 }, async (t) => {
  await page.goto(`${server.url}#token=${TOKEN}`);
  const input = page.getByLabel('Number or SIP address to call');
  await input.waitFor();
  // The dial pad would send the call through the (disabled) default account; echo is dialled
  // the way the page's API client does it, without an account.
  const status = await page.evaluate(async (token) => {
    const res = await fetch('/api/calls', { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ target: 'echo' }) });
    return res.status;
  }, TOKEN);
  assert.ok(status < 300, `POST /api/calls: ${status}`);
  await page.getByText('Browser audio connected', { exact: false }).waitFor({ timeout: 15_000 });
  const [call] = engine.listCalls();
  assert.ok(call, 'the engine has the call');
  assert.equal(call.state, 'established');
  await new Promise((r) => setTimeout(r, 3000));
  await page.screenshot({ path: join(SCREENS, 'browser-audio-call.png') });

  // Engine side: the last 1.5 s the call sent (the page's microphone at the call's rate).
  const rec = sent.get(call.id);
  assert.ok(rec, 'the call’s source was made by the engine’s audio factory');
  const tail = rec.samples.slice(-rec.rate * 1.5);
  const peak = tail.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
  assert.ok(peak > 1000, `the call sent sound (peak ${peak})`);
  const f = dominantFrequency(tail, rec.rate)!;
  t.diagnostic(`the call sent ${f.toFixed(1)} Hz at ${rec.rate} Hz (peak ${peak})`);
  assert.ok(Math.abs(f - 440) < 440 * 0.02, `the call sent ${f} Hz`);

  // Page side: what the page was given to play (the echo) over the last 1.5 s.
  const heard = (await page.evaluate('window.__softphoneAudioTap()')) as { sampleRate: number; samples: number[] };
  const back = heard.samples.slice(-heard.sampleRate * 1.5);
  const peakBack = back.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
  assert.ok(peakBack > 1000, `the page got sound back (peak ${peakBack})`);
  const g = dominantFrequency(back, heard.sampleRate)!;
  t.diagnostic(`the page was given ${g.toFixed(1)} Hz at ${heard.sampleRate} Hz (peak ${peakBack})`);
  assert.ok(Math.abs(g - 440) < 440 * 0.02, `the page heard ${g} Hz`);

  await page.getByRole('button', { name: /^Hang up/ }).click();
  await page.getByLabel('Number or SIP address to call').waitFor();
  assert.equal(engine.listCalls().length, 0);
  assert.equal(engine.audioHub.attached(call.id), false, 'the page let go of the call');
});
