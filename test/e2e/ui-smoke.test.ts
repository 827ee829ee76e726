// Smoke test of the built web UI in Debian's chromium against a stub of the engine's API
// (ui-stub-api.ts): the first-run form, registration failure and success, the dial pad's
// cleaning of a pasted number, a call with stats, call waiting, history, contacts, settings,
// keyboard shortcuts, and a phone-sized screen. Screenshots of each screen go to
// test-results/screens/ for a person to look at. The end-to-end run against the real engine,
// Kamailio and baresip is a separate test.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { skipUnless } from '../support/peers.js';
import { STUB_TOKEN, StubApi } from './ui-stub-api.js';
import { CHROMIUM, CHROMIUM_ARGS, DIST, SCREENS, ensureWebBuilt } from '../support/web-ui.js';

const skip = skipUnless('chromium');



let stub: StubApi;
let context: BrowserContext;
let page: Page;
let profile: string;

before(async () => {
  if (skip) return;
  ensureWebBuilt();
  mkdirSync(SCREENS, { recursive: true });
  stub = new StubApi(DIST);
  await stub.start();
  const { chromium } = await import('playwright-core');
  profile = mkdtempSync(join(tmpdir(), 'softphone-ui-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport: { width: 1200, height: 820 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  if (process.env.SOFTPHONE_UI_DEBUG) page.on('console', (m) => console.log(`[page] ${m.text()}`));
  page.on('pageerror', (e) => {
    throw new Error(`page error: ${e.message}`);
  });
});

after(async () => {
  await context?.close();
  await stub?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const nav = (name: RegExp) => page.getByRole('navigation').getByRole('button', { name });

async function shot(name: string): Promise<void> {
  // From the top: a full-page capture of a scrolled page draws the sticky side bar part way down.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(SCREENS, `${name}.png`), fullPage: true });
}

const opts = { skip, timeout: 60_000 };

test('first run: the token leaves the address bar and the account form renders', opts, async () => {
  await page.goto(`${stub.url}/#token=${STUB_TOKEN}`);
  await page.getByRole('heading', { name: 'Set up your phone' }).waitFor();
  assert.equal(new URL(page.url()).hash, '', 'the token is removed from the URL');
  for (const label of ['User', 'Domain', 'Password', 'Display name']) assert.ok(await page.getByLabel(label, { exact: true }).isVisible(), label);
  await page.getByText('Server settings (optional)').click();
  for (const label of ['Auth user', 'Registrar', 'Outbound proxy', 'Transport']) assert.ok(await page.getByLabel(label, { exact: true }).isVisible(), label);
  // Only the transports the engine takes for accounts (it refuses ws and wss for now).
  const transports = await page.evaluate(`[...document.querySelector('select[name=transport]').options].map((o) => o.value)`);
  assert.deepEqual(transports, ['udp', 'tcp', 'tls']);
  await shot('01-first-run');
});

test('saving the account shows its registration state and the server reason on failure', opts, async () => {
  await page.getByLabel('User', { exact: true }).fill('1001');
  await page.getByLabel('Domain', { exact: true }).fill('pbx.example.com');
  await page.getByLabel('Password', { exact: true }).fill('secret');
  await page.getByLabel('Display name', { exact: true }).fill('Front Desk');
  await page.getByRole('button', { name: 'Save and register' }).click();
  await page.getByText('Registering…').first().waitFor();
  const created = stub.requests.find((r) => r.method === 'POST' && r.path === '/api/accounts');
  assert.deepEqual(created?.body, { aor: 'sip:1001@pbx.example.com', displayName: 'Front Desk', authUser: '', registrar: '', outboundProxy: '', transport: 'udp', enabled: true, password: 'secret' });
  stub.setRegistration(1, { state: 'failed', status: 403, reason: 'Forbidden' });
  await page.getByText('Failed: 403 Forbidden').first().waitFor();
  await nav(/^Accounts/).click();
  await page.getByText('Failed: 403 Forbidden').first().waitFor();
  await shot('02-account-failed');
  stub.setRegistration(1, { state: 'registered', status: 200, expires: 3600 });
  await page.getByText('Registered (3600 s)').first().waitFor();
});

test('the dial pad cleans a pasted number and keeps sip: URIs', opts, async () => {
  await nav(/^Phone/).click();
  const input = page.getByLabel('Number or SIP address to call');
  await input.waitFor();
  const paste = (text: string) =>
    page.evaluate(`(() => {
      const el = document.getElementById('dial-input');
      el.focus();
      const dt = new DataTransfer();
      dt.setData('text/plain', ${JSON.stringify(text)});
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    })()`);
  await paste('sip:alice@example.com');
  await page.waitForFunction(`document.getElementById('dial-input').value === 'sip:alice@example.com'`);
  await input.fill('');
  await paste('+1 (555) 123-4567');
  await page.waitForFunction(`document.getElementById('dial-input').value === '+15551234567'`);
  assert.equal(await input.inputValue(), '+15551234567');
  await shot('03-dial-pad');
});

test('a call: calling, then established with codec, quality line and the audio note', opts, async () => {
  await page.getByRole('button', { name: 'Call', exact: true }).click();
  await page.getByText('Calling…', { exact: true }).waitFor();
  const dialled = stub.requests.find((r) => r.method === 'POST' && r.path === '/api/calls');
  assert.deepEqual(dialled?.body, { target: '+15551234567', accountId: 1 });
  const call = stub.calls[0]!;
  stub.putCall({ ...call, state: 'ringing' });
  await page.getByText('Ringing…', { exact: true }).waitFor();
  // The far end rings without early media: the page plays the ringback (the Call click let it sound).
  await page.waitForFunction(`JSON.stringify(window.__softphoneRinging()) === '{"key":"ringback/default/70","sounding":true}'`, undefined, { timeout: 5000 });
  stub.putCall({ ...call, state: 'established', answeredAt: Date.now() - 65_000, codec: 'opus/48000', remote: { uri: 'sip:+15551234567@pbx.example.com', displayName: null, contactName: 'Dana Scully' } });
  stub.emit('stats', { callId: call.id, lossPct: 0.4, jitterMs: 6.2, rttMs: 48 });
  await page.getByText('Loss 0.4% · Jitter 6 ms · RTT 48 ms').waitFor();
  await page.getByRole('heading', { name: 'Dana Scully' }).waitFor();
  await page.waitForFunction(`JSON.stringify(window.__softphoneRinging()) === '{"key":"","sounding":false}'`, undefined, { timeout: 5000 }); // answered: the ringback stops
  assert.ok(await page.getByText('audio bridge not connected').isVisible());
  await page.keyboard.press('m');
  await page.getByRole('button', { name: 'Unmute (M)' }).waitFor();
  assert.deepEqual(stub.requests.at(-1)?.body, { on: true });
  await page.keyboard.press('k');
  await page.keyboard.press('5');
  await page.getByLabel('Tones sent').getByText('5').waitFor();
  assert.deepEqual(stub.requests.find((r) => r.path.endsWith('/dtmf'))?.body, { digits: '5' });
  await shot('04-call');
  await page.keyboard.press('k');
  await page.keyboard.press('m');
});

test('call waiting: a second call rings, A answers it and the first goes on hold; S switches', opts, async () => {
  const second = stub.makeCall('incoming', 'sip:+447700900123@pbx.example.com', { remote: { uri: 'sip:+447700900123@pbx.example.com', displayName: 'Bob', contactName: 'Bob Nguyen' } });
  stub.putCall(second, 'incoming');
  await page.getByRole('button', { name: 'Answer Bob Nguyen, holding the other call' }).waitFor();
  await shot('05-call-waiting');
  await page.keyboard.press('a');
  await page.getByRole('button', { name: 'Switch to Dana Scully' }).waitFor();
  await page.getByRole('heading', { name: 'Bob Nguyen' }).waitFor();
  await shot('06-two-lines');
  await page.keyboard.press('s');
  await page.getByRole('heading', { name: 'Dana Scully' }).waitFor();
  assert.ok(stub.requests.some((r) => r.path === `/api/calls/${String(stub.calls[0]!.id)}/switch`));
  await page.keyboard.press('t');
  await page.getByLabel('Transfer Dana Scully to').fill('1003');
  await shot('07-transfer');
  await page.getByRole('button', { name: 'Transfer', exact: true }).click();
  await page.waitForFunction(`!document.getElementById('transfer-target')`);
  assert.deepEqual(stub.requests.find((r) => r.path.endsWith('/transfer'))?.body, { target: '1003' });
  // Hang both up from the keyboard.
  await page.keyboard.press('h');
  await page.getByRole('heading', { name: 'Bob Nguyen' }).waitFor();
  await page.keyboard.press('h');
  await page.getByLabel('Number or SIP address to call').waitFor();
});

test('an incoming call rings with Answer and Decline; X declines', opts, async () => {
  stub.putCall(stub.makeCall('incoming', 'sip:reception@example.org', { remote: { uri: 'sip:reception@example.org', displayName: 'Reception', contactName: null } }), 'incoming');
  await page.getByRole('button', { name: 'Answer call from Reception (A)' }).waitFor();
  await page.waitForFunction(`document.title === 'Incoming call: Reception'`);
  await shot('08-incoming');
  await page.keyboard.press('x');
  await page.getByLabel('Number or SIP address to call').waitFor();
  assert.ok(stub.requests.some((r) => r.path.endsWith('/decline')));
});

test('history: outcomes, names, search, the missed badge cleared, call back', opts, async () => {
  await nav(/^History/).getByText('2').waitFor();
  await nav(/^History/).click();
  await page.getByText('Failed: 404 Not Found').waitFor();
  await page.waitForFunction(`!document.querySelector('.nav .badge:not(.badge-call):not(.badge-ring)')`);
  assert.ok(stub.requests.some((r) => r.method === 'POST' && r.path === '/api/history/seen'));
  await shot('09-history');
  await page.getByLabel('Search history by name or number').fill('bob');
  await page.waitForFunction(`document.querySelectorAll('.history-row').length === 1`);
  await page.getByRole('button', { name: 'Call Bob Nguyen back' }).click();
  await page.getByText('Calling…', { exact: true }).waitFor();
  assert.deepEqual(stub.requests.filter((r) => r.method === 'POST' && r.path === '/api/calls').at(-1)?.body, { target: 'sip:+447700900123@pbx.example.com', accountId: 1 });
  await page.keyboard.press('h');
  await page.getByLabel('Number or SIP address to call').waitFor();
});

test('contacts: favourites first, edit form, import a CSV file', opts, async () => {
  await nav(/^Contacts/).click();
  await page.getByText('Zoë Åberg').waitFor();
  const names = await page.locator('.contact-row strong').allTextContents();
  assert.deepEqual(names, ['Alice Martin', 'Bob Nguyen', 'Zoë Åberg']);
  await shot('10-contacts');
  await page.getByRole('button', { name: 'Edit Bob Nguyen' }).click();
  await page.getByRole('heading', { name: 'Edit Bob Nguyen' }).waitFor();
  await shot('11-contact-edit');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('#import-file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from('Name,Phone\n"Smith, Jo",+1 555 0100\n') });
  await page.getByText('Imported 2 contacts, skipped 1:').waitFor();
  assert.deepEqual(stub.requests.find((r) => r.path === '/api/contacts/import')?.body, { format: 'csv', text: 'Name,Phone\n"Smith, Jo",+1 555 0100\n' });
  await shot('12-contacts-import');
});

async function waitForPatch(body: object): Promise<void> {
  const t0 = Date.now();
  const has = () => stub.requests.some((r) => r.method === 'PATCH' && r.path === '/api/settings' && JSON.stringify(r.body) === JSON.stringify(body));
  while (!has()) {
    assert.ok(Date.now() - t0 < 5000, `no PATCH /api/settings ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('settings: every section renders and a change is sent in the engine form', opts, async () => {
  await nav(/^Settings/).click();
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
  await page.getByLabel('Do not disturb', { exact: true }).check();
  await page.getByLabel('Forward calls to', { exact: true }).first().check();
  await page.getByRole('textbox', { name: 'Forward calls to' }).fill('sip:voicemail@pbx.example.com');
  await page.getByRole('textbox', { name: 'Forward calls to' }).press('Tab');
  await page.waitForFunction(`document.querySelector('input[aria-label="Forward calls to"][type=text]').value === 'sip:voicemail@pbx.example.com'`);
  const patches = stub.requests.filter((r) => r.method === 'PATCH' && r.path === '/api/settings').map((r) => r.body);
  assert.deepEqual(patches.at(-1), { 'call.dnd': true, 'call.dndAction': 'forward', 'call.dndForwardTarget': 'sip:voicemail@pbx.example.com' });

  // The browser handset's microphone and speaker are lists of this browser's devices. This
  // profile has not allowed the microphone, so the lists hold "System default" only and a
  // button offers to ask for the device names.
  await page.getByRole('group', { name: 'Audio in this browser' }).waitFor();
  for (const id of ['set-browser-in', 'set-browser-out']) {
    const first = await page.evaluate(`(() => { const el = document.getElementById(${JSON.stringify(id)}); return el && el.tagName === 'SELECT' ? el.options[0].text : null; })()`);
    assert.match(String(first), /^System default/, `#${id} is a list with the system default first`);
  }
  assert.ok(await page.getByRole('combobox', { name: 'Microphone', exact: true }).isVisible());
  assert.ok(await page.getByRole('combobox', { name: 'Speaker', exact: true }).isVisible());
  assert.ok(await page.getByRole('button', { name: 'Allow the microphone to list devices by name' }).isVisible());
  // Asking here fails (no microphone, no prompt in headless chromium): the page says why.
  await page.getByRole('button', { name: 'Allow the microphone to list devices by name' }).click();
  await page.getByRole('status').filter({ hasText: 'Could not list the devices:' }).waitFor();
  // The engine's system audio devices: text fields while the engine finds no sound system
  // (the hint says why), saved in the engine's settings.
  await page.getByRole('group', { name: 'Engine system audio' }).waitFor();
  await page.getByText('No list of devices: no PulseAudio server answers.', { exact: false }).waitFor();
  await page.getByLabel('System microphone', { exact: true }).fill('alsa:hw:1');
  await page.getByLabel('System microphone', { exact: true }).press('Tab');
  await waitForPatch({ 'audio.inputDevice': 'alsa:hw:1' });
  // Where a call with no page goes: no audio (the default), or these system devices.
  assert.equal(await page.getByLabel('Calls without a page use', { exact: true }).inputValue(), 'browser');
  await page.getByLabel('Calls without a page use', { exact: true }).selectOption('system');
  await waitForPatch({ 'audio.handset': 'system' });
  await shot('13-settings');

  // With a sound system, the engine's devices are lists of its names; a name set before that
  // the list lacks stays chosen.
  stub.systemAudioDevices = {
    backend: 'pulse',
    inputs: [{ id: 'alsa_input.usb-Jabra', name: 'Jabra EVOLVE 20 Mono', isDefault: true }],
    outputs: [
      { id: 'alsa_output.pci.analog-stereo', name: 'Built-in Audio Analog Stereo', isDefault: true },
      { id: 'alsa_output.usb-Jabra', name: 'Jabra EVOLVE 20 Mono', isDefault: false },
    ],
  };
  await nav(/^Phone/).click();
  await nav(/^Settings/).click();
  const speaker = page.getByRole('combobox', { name: 'System speaker', exact: true });
  await speaker.locator('option', { hasText: 'Built-in Audio Analog Stereo (default)' }).waitFor({ state: 'attached' });
  assert.equal(await page.getByRole('combobox', { name: 'System microphone', exact: true }).inputValue(), 'alsa:hw:1', 'a name the list lacks stays chosen');
  await speaker.selectOption({ label: 'Jabra EVOLVE 20 Mono' });
  await waitForPatch({ 'audio.outputDevice': 'alsa_output.usb-Jabra' });
  await page.getByRole('combobox', { name: 'System ringer', exact: true }).selectOption({ label: 'Built-in Audio Analog Stereo (default)' });
  await waitForPatch({ 'audio.ringDevice': 'alsa_output.pci.analog-stereo' });
  await page.getByRole('group', { name: 'Engine system audio' }).screenshot({ path: join(SCREENS, '13b-settings-engine-devices.png') });
});

test('keyboard: ? opens the shortcut list, Esc closes it; focus is visible', opts, async () => {
  await nav(/^Phone/).click();
  await page.locator('body').click({ position: { x: 600, y: 10 } });
  await page.keyboard.press('?');
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
  await shot('14-shortcuts');
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  await page.keyboard.press('d');
  await page.waitForFunction(`document.activeElement && document.activeElement.id === 'dial-input'`);
  await page.keyboard.press('Tab');
  await shot('15-focus-visible');
});

/** Nothing wider than a phone's screen: no sideways scrolling. */
async function assertNoSidewaysScroll(where: string): Promise<void> {
  const [scroll, width] = (await page.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
  assert.ok(scroll <= width, `${where}: the page is ${scroll} px wide on a ${width} px screen`);
}

test('a phone-sized screen: dial pad, call, history, contacts, settings', opts, async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await nav(/^Phone/).click();
  await page.getByLabel('Number or SIP address to call').waitFor();
  await assertNoSidewaysScroll('dial pad');
  await shot('16-phone-dial-pad');
  const call = stub.makeCall('outgoing', 'sip:1002@pbx.example.com', { state: 'established', answeredAt: Date.now() - 5_000, codec: 'PCMU/8000', remote: { uri: 'sip:1002@pbx.example.com', displayName: null, contactName: 'Zoë Åberg' } });
  stub.putCall(call);
  stub.emit('stats', { callId: call.id, lossPct: 3.2, jitterMs: 41, rttMs: null });
  await page.getByText('Loss 3.2% · Jitter 41 ms').waitFor();
  await assertNoSidewaysScroll('call');
  await shot('17-phone-call');
  stub.putCall({ ...call, state: 'ended', end: { reason: 'Busy Here', status: 486, by: 'remote', outcome: 'busy' } });
  await page.getByText('Call with Zoë Åberg ended: 486 Busy Here').waitFor();
  await nav(/^History/).click();
  await page.getByText('Failed: 404 Not Found').waitFor();
  await assertNoSidewaysScroll('history');
  await shot('18-phone-history');
  await nav(/^Contacts/).click();
  await page.locator('.contact-row strong', { hasText: 'Zoë Åberg' }).waitFor();
  await assertNoSidewaysScroll('contacts');
  await shot('19-phone-contacts');
  await nav(/^Settings/).click();
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
  await assertNoSidewaysScroll('settings');
  await shot('20-phone-settings');
  await page.setViewportSize({ width: 1200, height: 820 });
});

test('without a token the page says where to get one', opts, async () => {
  const other = await context.newPage();
  await other.goto(`${stub.url}/`);
  await other.getByText('This page needs the link the phone engine printed').waitFor();
  await other.screenshot({ path: join(SCREENS, '21-no-token.png') });
  await other.close();
});
