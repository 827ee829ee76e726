/**
 * The browser as the handset, end to end: the real engine (createNodeEngine with a temporary
 * profile) serving the built UI and /api/audio, Debian's chromium with fake media devices
 * (chromium lists "Fake Audio Input 1/2" and "Fake Audio Output 1/2"; every fake microphone
 * plays a 440 Hz WAV).
 *
 * 1. Settings: the browser's microphone and speaker are picked from lists of this browser's
 *    devices, kept in the browser (the engine's system audio settings are left alone).
 * 2. A person types `echo` into the dial pad and presses Call; once the call is up the page
 *    attaches the chosen microphone and speaker. Checked by frequency: what the engine's call
 *    sent to the echo service (the page's microphone, resampled to 8 kHz) and what the page was
 *    given to play (the echo, back at 48 kHz).
 * 3. The audio socket drops during the call (the page's test hook closes it; then the engine's
 *    API server is stopped and started again on the same port while the call goes on): the
 *    call screen's status says so, the page reconnects by itself, and it hears its own 440 Hz
 *    again through the echo.
 * 4. Browsers with less: without AudioContext.setSinkId (Firefox 116+) the chosen speaker gets
 *    the sound through an <audio> element, whose stream is checked for the echoed 440 Hz;
 *    without any setSinkId the sound plays on the default and the call screen says so.
 * Screenshots go to test-results/screens/browser-audio-*.png.
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
import { waitFor } from '../support/process.js';
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


const SETTLE_S = 1.5;

interface Tap {
  sampleRate: number;
  samples: number[];
  total: number;
}

/** The last `seconds` the page was given to play, and the count of samples it got in all. */
const tap = async (seconds = 0): Promise<Tap> => (await page.evaluate(`window.__softphoneAudioTap(${seconds})`)) as Tap;

/** The dominant frequency and peak of samples, asserting a 440 Hz tone. */
function assertTone(t: { diagnostic: (m: string) => void }, what: string, samples: number[], rate: number): void {
  const peak = samples.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
  // The WAV's tone peaks at 12000; the page's echo canceller, which hears the same tone come
  // back from the echo, brings it down to ~1300 after a few seconds. Silence is 0.
  assert.ok(peak > 400, `${what}: sound (peak ${peak})`);
  const f = dominantFrequency(samples, rate)!;
  t.diagnostic(`${what}: ${f.toFixed(1)} Hz at ${rate} Hz (peak ${peak})`);
  assert.ok(Math.abs(f - 440) < 440 * 0.02, `${what}: ${f} Hz`);
}

/** Collects every audio state the call screen shows from now on (a drop may last only 250 ms). */
async function watchAudioStates(): Promise<void> {
  await page.evaluate(`(() => {
    window.__audioStates = [];
    const seen = () => {
      const el = document.querySelector('[data-audio-state]');
      const s = el && el.getAttribute('data-audio-state');
      if (s && window.__audioStates.at(-1) !== s) window.__audioStates.push(s);
    };
    seen();
    new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  })()`);
}

const audioStates = async () => (await page.evaluate('window.__audioStates')) as string[];

/**
 * After a reconnect: the engine's call again carries the page's 440 Hz and the page again plays
 * 440 Hz, judged on audio that arrived only after the status said "connected" again.
 */
async function assertAudioBack(t: { diagnostic: (m: string) => void }, callId: string, what: string): Promise<void> {
  // Right after a drop the status may still read "connected" (the page has not rendered the
  // drop yet) while the engine has already let go: wait for the engine to have the page again.
  await waitFor(`${what}: the page attached again`, () => (engine.audioHub.attached(callId) ? true : undefined), 20_000, 50);
  await page.locator('[data-audio-state="connected"]').waitFor({ timeout: 20_000 });
  const rec = sent.get(callId)!;
  const sentFrom = rec.samples.length;
  const heardFrom = (await tap()).total;
  const rate = (await tap()).sampleRate;
  await waitFor(`${what}: ${SETTLE_S + 1} s of audio after the reconnect`, async () => ((await tap()).total - heardFrom > rate * (SETTLE_S + 1) ? true : undefined), 15_000, 200);
  const sentAfter = rec.samples.slice(sentFrom);
  assertTone(t, `${what}: the call sent`, sentAfter.slice(-rec.rate * SETTLE_S), rec.rate);
  const heard = await tap(SETTLE_S);
  assertTone(t, `${what}: the page was given`, heard.samples, heard.sampleRate);
}

let callId = '';
let chosen: { input: string; output: string };

test('settings: the browser’s microphone and speaker are chosen from lists of its devices', { skip, timeout: 60_000 }, async () => {
  await page.goto(`${server.url}#token=${TOKEN}`);
  await page.getByLabel('Number or SIP address to call').waitFor();
  await page.getByRole('navigation').getByRole('button', { name: /^Settings/ }).click();
  const mic = page.getByRole('combobox', { name: 'Microphone', exact: true });
  const speaker = page.getByRole('combobox', { name: 'Speaker', exact: true });
  await mic.locator('option', { hasText: 'Fake Audio Input 2' }).waitFor({ state: 'attached' });
  const names = async (id: string) => (await page.evaluate(`[...document.getElementById('${id}').options].map((o) => o.text)`)) as string[];
  assert.deepEqual(await names('set-browser-in'), ['System default (Fake Default Audio Input)', 'Fake Audio Input 1', 'Fake Audio Input 2']);
  assert.deepEqual(await names('set-browser-out'), ['System default (Fake Default Audio Output)', 'Fake Audio Output 1', 'Fake Audio Output 2']);
  const before = engine.getSettings();

  await mic.selectOption({ label: 'Fake Audio Input 2' });
  // The speaker by keyboard: focus the list, arrow down to the first device.
  await speaker.focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(`document.getElementById('set-browser-out').selectedIndex === 1`);
  chosen = (await page.evaluate(`({ input: localStorage.getItem('softphone.browserInputDevice'), output: localStorage.getItem('softphone.browserOutputDevice') })`)) as typeof chosen;
  assert.equal(chosen.input, await mic.inputValue(), 'the microphone is kept in this browser');
  assert.equal(chosen.output, await speaker.inputValue(), 'the speaker is kept in this browser');
  assert.ok(chosen.input && chosen.output && chosen.input !== 'default');
  // The engine's own (system audio) device settings are not these.
  assert.deepEqual(engine.getSettings(), before);
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(SCREENS, 'browser-audio-settings.png'), fullPage: true });

  // A device plugged in: the lists follow the browser's devicechange event.
  await page.evaluate(`(() => {
    const md = navigator.mediaDevices;
    const real = md.enumerateDevices.bind(md);
    md.enumerateDevices = async () => [...(await real()), { kind: 'audioinput', deviceId: 'usb-headset-test', groupId: 'usb', label: 'USB Headset (test)', toJSON() { return this; } }];
    md.dispatchEvent(new Event('devicechange'));
  })()`);
  await mic.locator('option', { hasText: 'USB Headset (test)' }).waitFor({ state: 'attached' });
  assert.equal(await mic.inputValue(), chosen.input, 'the choice stays while the list changes');

  // Still chosen after a reload.
  await page.reload();
  await page.getByRole('navigation').getByRole('button', { name: /^Settings/ }).click();
  await mic.locator('option', { hasText: 'Fake Audio Input 2' }).waitFor({ state: 'attached' });
  assert.equal(await mic.inputValue(), chosen.input);
  assert.equal(await speaker.inputValue(), chosen.output);
});

test('a person dials echo from the dial pad: the call carries the page’s 440 Hz from the chosen microphone, and the page plays it back at 440 Hz', { skip, timeout: 60_000 }, async (t) => {
  await page.getByRole('navigation').getByRole('button', { name: /^Phone/ }).click();
  const input = page.getByLabel('Number or SIP address to call');
  await input.fill('echo');
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await page.getByText('Browser audio connected', { exact: false }).waitFor({ timeout: 15_000 });
  const [call] = engine.listCalls();
  assert.ok(call, 'the engine has the call');
  assert.equal(call.state, 'established');
  assert.equal(call.accountId, null, 'echo is dialled without the (disabled) account');
  callId = call.id;
  assert.deepEqual(await page.evaluate('window.__softphoneAudioDevices()'), chosen, 'the chosen microphone and speaker are in use');
  await new Promise((r) => setTimeout(r, 3000));
  await page.screenshot({ path: join(SCREENS, 'browser-audio-call.png') });

  // Engine side: the last 1.5 s the call sent (the page's microphone at the call's rate).
  const rec = sent.get(call.id);
  assert.ok(rec, 'the call’s source was made by the engine’s audio factory');
  assertTone(t, 'the call sent', rec.samples.slice(-rec.rate * SETTLE_S), rec.rate);
  // Page side: what the page was given to play (the echo) over the last 1.5 s.
  const heard = await tap(SETTLE_S);
  assertTone(t, 'the page was given', heard.samples, heard.sampleRate);

  // Another microphone and speaker chosen during the call apply at once.
  await page.getByRole('navigation').getByRole('button', { name: /^Settings/ }).click();
  await page.getByRole('combobox', { name: 'Microphone', exact: true }).selectOption({ label: 'Fake Audio Input 1' });
  await page.getByRole('combobox', { name: 'Speaker', exact: true }).selectOption({ label: 'Fake Audio Output 2' });
  chosen = { input: await page.getByRole('combobox', { name: 'Microphone', exact: true }).inputValue(), output: await page.getByRole('combobox', { name: 'Speaker', exact: true }).inputValue() };
  await page.getByRole('navigation').getByRole('button', { name: /^Phone/ }).click();
  await waitFor('the new devices in use', async () => ((JSON.stringify(await page.evaluate('window.__softphoneAudioDevices()')) === JSON.stringify(chosen)) ? true : undefined), 10_000, 100);
  await page.locator('[data-audio-state="connected"]').waitFor();
});

test('the audio socket drops during the call: the page says so, reconnects and hears its 440 Hz again', { skip, timeout: 60_000 }, async (t) => {
  assert.ok(callId, 'the call of the previous test');
  await watchAudioStates();
  assert.equal(await page.evaluate('window.__softphoneAudioDrop()'), true, 'the hook closed an open socket');
  await assertAudioBack(t, callId, 'after a drop');
  const states = await audioStates();
  t.diagnostic(`audio states: ${states.join(' → ')}`);
  assert.deepEqual(states, ['connected', 'reconnecting', 'connected']);
});

test('the engine’s API stops and starts again during the call: the page reconnects with back-off and hears its 440 Hz again', { skip, timeout: 60_000 }, async (t) => {
  await watchAudioStates();
  const port = server.port;
  await server.close();
  await page.locator('[data-audio-state="reconnecting"]').waitFor({ timeout: 10_000 });
  const status = page.getByRole('status', { name: 'Audio' });
  assert.match((await status.textContent()) ?? '', /reconnecting/);
  await page.screenshot({ path: join(SCREENS, 'browser-audio-reconnecting.png') });
  // Down for a while: several attempts fail (0.25 s, 0.5 s, 1 s, ...) before it is back.
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(engine.listCalls()[0]?.state, 'established', 'the call goes on without the page');
  server = await startApiServer({ engine, token: TOKEN, port, fallbackToFreePort: false, webDir: DIST });
  await assertAudioBack(t, callId, 'after the API restart');
  const states = await audioStates();
  t.diagnostic(`audio states: ${states.join(' → ')}`);
  assert.deepEqual(states, ['connected', 'reconnecting', 'connected']);

  await page.getByRole('button', { name: /^Hang up/ }).click();
  await page.getByLabel('Number or SIP address to call').waitFor();
  assert.equal(engine.listCalls().length, 0);
  assert.equal(engine.audioHub.attached(callId), false, 'the page let go of the call');
});

/**
 * A page of this context (the first page closed) as another browser would run it: `hide` lists the setSinkId methods
 * it lacks (Firefox before 116 had none; Firefox 116+ has HTMLMediaElement's only).
 */
async function pageWithout(hide: ('AudioContext' | 'HTMLMediaElement')[]): Promise<Page> {
  // The first page leaves: open, it would attach the new call too (the page that attaches last
  // takes the call's audio, and the other says "another tab took this call's audio").
  await page.goto('about:blank');
  const p = await context.newPage();
  await p.addInitScript(`for (const k of ${JSON.stringify(hide)}) delete globalThis[k].prototype.setSinkId;`);
  await p.goto(`${server.url}#token=${TOKEN}`);
  return p;
}

/** Dials echo from page `p` and waits for its browser audio to be connected. */
async function dialEchoOn(p: Page): Promise<void> {
  await p.getByLabel('Number or SIP address to call').fill('echo');
  await p.getByRole('button', { name: 'Call', exact: true }).click();
  await p.locator('[data-audio-state="connected"]').waitFor({ timeout: 15_000 });
}

async function hangUpOn(p: Page): Promise<void> {
  await p.getByRole('button', { name: /^Hang up/ }).click();
  await p.getByLabel('Number or SIP address to call').waitFor();
  await waitFor('the call ended', () => (engine.listCalls().length === 0 ? true : undefined), 5000, 50);
}

test('without AudioContext.setSinkId the chosen speaker plays through an <audio> element, which carries the echoed 440 Hz', { skip, timeout: 60_000 }, async (t) => {
  assert.ok(chosen, 'the devices chosen in the first test');
  const p = await pageWithout(['AudioContext']);
  t.after(() => p.close());
  await dialEchoOn(p);
  await waitFor('the element route', async () => ((await p.evaluate('window.__softphoneAudioRoute().route')) === 'element' ? true : undefined), 10_000, 100);
  assert.equal(((await p.evaluate('window.__softphoneAudioDevices()')) as { output: string }).output, chosen.output, 'the element plays on the chosen speaker');
  assert.equal(await p.evaluate('window.__softphoneAudioRoute().playing'), true, 'the element plays');
  assert.doesNotMatch((await p.getByRole('status', { name: 'Audio' }).textContent()) ?? '', /speaker/, 'no note about the speaker');
  // What the element is given to play, through an analyser of the page's own.
  const heard = (await p.evaluate(`(async () => {
    const ctx = new AudioContext();
    await ctx.resume();
    const an = ctx.createAnalyser();
    an.fftSize = 32768;
    ctx.createMediaStreamSource(window.__softphoneAudioRoute().stream).connect(an);
    await new Promise((r) => setTimeout(r, 2000));
    const buf = new Float32Array(an.fftSize);
    an.getFloatTimeDomainData(buf);
    await ctx.close();
    return { rate: ctx.sampleRate, samples: Array.from(buf, (v) => Math.round(v * 32767)) };
  })()`)) as { rate: number; samples: number[] };
  assertTone(t, 'the <audio> element was given', heard.samples, heard.rate);
  await p.screenshot({ path: join(SCREENS, 'browser-audio-element-route.png') });
  await hangUpOn(p);
});

test('a browser that cannot choose a speaker at all plays on the default and says so on the call screen', { skip, timeout: 60_000 }, async () => {
  const p = await pageWithout(['AudioContext', 'HTMLMediaElement']);
  await dialEchoOn(p);
  assert.equal(await p.evaluate('window.__softphoneAudioRoute().route'), 'default');
  await p.getByRole('status', { name: 'Audio' }).getByText('this browser cannot choose the speaker: playing on the system default', { exact: false }).waitFor({ timeout: 5000 });
  await hangUpOn(p);
  await p.close();
});
