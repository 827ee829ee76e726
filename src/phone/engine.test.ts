/**
 * The engine's own rules: history outcomes, codecs from settings, the schemas against the
 * store, and the registry's validation; plus an echo call through the registry on a real
 * (loopback) line, with its events.
 */
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createNodeMediaEnvironment, createNodeUserAgent } from '../main/node.js';
import { createNodeEngine, nodeLineFactory } from '../main/node-engine.js';
import { CommandRegistry } from './commands.js';
import { outcomeOf } from './engine-call.js';
import { EngineError } from './engine-errors.js';
import type { EngineEvent } from './engine-events.js';
import { encodeEvent } from './engine-events.js';
import { SettingsSchema } from './engine-schemas.js';
import { PhoneEngine, usableCodecs } from './engine.js';
import { Phone } from './phone.js';
import { PhoneStore, SETTING_KEYS } from './store/index.js';
import { tempDir } from './store/testing/temp-dir.js';

test('the settings schema names exactly the store\'s settings', () => {
  assert.deepEqual(Object.keys(SettingsSchema.shape).sort(), [...SETTING_KEYS].sort());
});

test('history outcomes: answered; incoming refused here = declined, given up by the caller = missed; outgoing cancelled, busy, declined, failed', () => {
  const end = (cause: string, by: 'local' | 'remote' | 'network', status?: number) => ({ cause, by, status, reason: 'x' }) as Parameters<typeof outcomeOf>[2];
  assert.equal(outcomeOf('incoming', true, end('normal', 'remote')), 'answered');
  assert.equal(outcomeOf('incoming', false, end('busy', 'local', 486)), 'declined');
  assert.equal(outcomeOf('incoming', false, end('cancelled', 'remote', 487)), 'missed');
  assert.equal(outcomeOf('outgoing', false, end('cancelled', 'local')), 'cancelled');
  assert.equal(outcomeOf('outgoing', false, end('busy', 'remote', 486)), 'busy');
  assert.equal(outcomeOf('outgoing', false, end('declined', 'remote', 603)), 'declined');
  assert.equal(outcomeOf('outgoing', false, end('not-found', 'remote', 404)), 'failed');
});

test('codecs from settings keep their order and drop what a line cannot offer', () => {
  assert.deepEqual(usableCodecs(['opus', 'G722', 'pcma', 'PCMU']), ['PCMA', 'PCMU']);
  assert.deepEqual(usableCodecs(['opus']), ['PCMU', 'PCMA']);
});

test('events have one encoding: {"type","data"}', () => {
  const e: EngineEvent = { type: 'dtmf', data: { callId: 'c1', digit: '5', via: 'rfc4733' } };
  assert.equal(encodeEvent(e), '{"type":"dtmf","data":{"callId":"c1","digit":"5","via":"rfc4733"}}');
});

test('the registry validates input (EngineError invalid-argument with issues) and knows no other command', async (t) => {
  const engine = await createNodeEngine({ profileDir: tempDir(t, 'softphone-engine-') });
  t.after(() => engine.close());
  const registry = new CommandRegistry(engine);
  await assert.rejects(registry.run('calls.mute', { id: 'x', on: 'yes' }), (e: unknown) => e instanceof EngineError && e.code === 'invalid-argument' && e.issues?.[0]?.path[0] === 'on');
  await assert.rejects(registry.run('calls.explode', {}), (e: unknown) => e instanceof EngineError && e.code === 'not-found');
  await assert.rejects(registry.run('calls.answer', { id: 'nope' }), (e: unknown) => e instanceof EngineError && e.code === 'not-found');
});

test('an echo call through the registry: call events up to established, mute, hold/resume, hang-up, then a history event with outcome answered', async (t) => {
  const engine = await createNodeEngine({ profileDir: tempDir(t, 'softphone-engine-') });
  t.after(() => engine.close());
  const registry = new CommandRegistry(engine);
  const states: string[] = [];
  engine.on('call', (c) => states.push(c.state));
  const call = await registry.run('calls.dial', { target: 'echo' });
  await engine.waitFor('call', (c) => c.id === call.id && c.state === 'established');
  assert.equal((await registry.run('calls.mute', { id: call.id, on: true })).muted, true);
  assert.equal((await registry.run('calls.hold', { id: call.id })).hold.local, true);
  assert.equal((await registry.run('calls.switch', { id: call.id })).hold.local, false);
  await assert.rejects(registry.run('calls.answer', { id: call.id }), (e: unknown) => e instanceof EngineError && e.code === 'invalid-state');
  const history = engine.waitFor('history', (h) => h.entry?.outcome === 'answered');
  await registry.run('calls.hangup', { id: call.id });
  const h = await history;
  assert.equal(h.entry?.direction, 'out');
  assert.ok(states.includes('established') && states.at(-1) === 'ended', states.join(' '));
  assert.deepEqual(await registry.run('calls.list', {}), []);
});

test('open starts the account lines before the direct line (their REGISTERs go out first); a direct line that fails closes them and open rejects', async (t) => {
  const dir = tempDir(t, 'softphone-engine-');
  // A registrar on loopback that never answers (the line is closed before it registers).
  const registrar = createSocket('udp4');
  await new Promise<void>((resolve) => registrar.bind(0, '127.0.0.1', resolve));
  t.after(() => registrar.close());
  const store = PhoneStore.open(dir);
  store.accounts.create({ aor: '1001@127.0.0.1', registrar: `sip:127.0.0.1:${registrar.address().port}`, password: 'secret' });
  store.close();

  const real = nodeLineFactory();
  const order: (number | null)[] = [];
  const closed: (number | null)[] = [];
  const opening = PhoneEngine.open({
    profileDir: dir,
    createLine: async (spec) => {
      order.push(spec.accountId);
      if (spec.accountId === null) throw new Error('the direct line cannot bind its port');
      const phone = await real(spec);
      const close = phone.close.bind(phone);
      phone.close = () => {
        closed.push(spec.accountId);
        return close();
      };
      return phone;
    },
  });
  await assert.rejects(opening, /the direct line cannot bind its port/);
  assert.deepEqual(order, [1, null]);
  assert.deepEqual(closed, [1]);
});

test('registrationsSettled: at once without accounts registering; after its time limit while a registrar stays silent (the account still registering)', async (t) => {
  const registrar = createSocket('udp4');
  await new Promise<void>((resolve) => registrar.bind(0, '127.0.0.1', resolve));
  t.after(() => registrar.close());
  const engine = await createNodeEngine({ profileDir: tempDir(t, 'softphone-engine-') });
  t.after(() => engine.close());
  const first = await Promise.race([engine.registrationsSettled(60_000).then(() => 'settled'), new Promise((r) => setTimeout(r, 5000, 'still waiting'))]);
  assert.equal(first, 'settled');
  const heard = new Promise<void>((resolve) => registrar.once('message', () => resolve()));
  const a = engine.createAccount({ aor: '1001@127.0.0.1', registrar: `sip:127.0.0.1:${registrar.address().port}`, password: 'secret' });
  await heard;
  await engine.registrationsSettled(200);
  assert.equal(engine.getAccount(a.id).registration.state, 'registering');
});

/** An engine on loopback whose ringer records what it was asked to play, and when it was stopped. */
async function engineWithRinger(t: TestContext): Promise<{ engine: PhoneEngine; rings: { callId: string; kind: string; stopped: boolean }[] }> {
  const rings: { callId: string; kind: string; stopped: boolean }[] = [];
  const engine = await PhoneEngine.open({
    profileDir: tempDir(t, 'softphone-engine-'),
    createLine: nodeLineFactory({ directPort: 0 }),
    ringer: ({ callId, kind }) => {
      const r = { callId, kind, stopped: false };
      rings.push(r);
      return { stop: () => void (r.stopped = true) };
    },
  });
  t.after(() => engine.close());
  return { engine, rings };
}

test('the ringer: an incoming call rings until answered; one that comes while a call is up rings "waiting" (until declined, or in full once that call ends); no ring with DND or an auto-answer without delay', async (t) => {
  const { engine, rings } = await engineWithRinger(t);
  const { ua } = await createNodeUserAgent({ bindAddress: '127.0.0.1', transports: ['udp'] });
  const caller = new Phone({ ua, media: createNodeMediaEnvironment('127.0.0.1') });
  t.after(() => caller.close(1000));
  const direct = engine.directUri()!;
  const incoming = () => engine.waitFor('incoming', () => true);

  const first = incoming();
  await caller.dial(direct);
  const a = await first;
  assert.deepEqual(rings, [{ callId: a.id, kind: 'ring', stopped: false }]);
  await engine.answer(a.id);
  assert.equal(rings[0]!.stopped, true, 'answered: the ring stops');

  const second = incoming();
  const b = await caller.dial(direct);
  const bInfo = await second;
  assert.deepEqual(rings[1], { callId: bInfo.id, kind: 'waiting', stopped: false });
  engine.decline(bInfo.id);
  await b.waitFor('state', (e) => e.state === 'ended');
  assert.equal(rings[1]!.stopped, true, 'declined: the beeps stop');

  // A call that waits while A is up beeps; once A ends it rings in full.
  const third = incoming();
  const c = await caller.dial(direct);
  const cInfo = await third;
  assert.deepEqual(rings[2], { callId: cInfo.id, kind: 'waiting', stopped: false });
  const aEnded = engine.waitFor('call', (x) => x.id === a.id && x.state === 'ended');
  engine.hangup(a.id);
  await aEnded;
  assert.equal(rings[2]!.stopped, true);
  assert.deepEqual(rings[3], { callId: cInfo.id, kind: 'ring', stopped: false }, 'the waiting call now rings');
  engine.decline(cInfo.id);
  await c.waitFor('state', (e) => e.state === 'ended');
  assert.equal(rings[3]!.stopped, true);

  for (const settings of [{ 'call.dnd': true }, { 'call.dnd': false, 'call.autoAnswer': true, 'call.autoAnswerDelayMs': 0 }]) {
    engine.updateSettings(settings);
    const c = await caller.dial(direct);
    await c.waitFor('state', (e) => e.state === 'ended' || e.state === 'established');
    assert.equal(rings.length, 4, `no ring with ${JSON.stringify(settings)}`);
    if (c.state !== 'ended') await c.hangup();
  }
});

test('the ringer plays the ringback while an outgoing call rings without early media (a 180), and stops at the answer', async (t) => {
  const { engine, rings } = await engineWithRinger(t);
  const { ua, transport } = await createNodeUserAgent({ bindAddress: '127.0.0.1', transports: ['udp'] });
  const callee = new Phone({ ua, media: createNodeMediaEnvironment('127.0.0.1') });
  t.after(() => callee.close(1000));
  const incoming = callee.waitFor('incoming', () => true);
  const out = await engine.dial(`sip:bob@127.0.0.1:${transport.localEndpoint('udp')!.port}`);
  const theirs = await incoming;
  theirs.ring();
  await engine.waitFor('call', (c) => c.id === out.id && c.state === 'ringing');
  assert.deepEqual(rings, [{ callId: out.id, kind: 'ringback', stopped: false }]);
  theirs.answer();
  await engine.waitFor('call', (c) => c.id === out.id && c.state === 'established');
  assert.equal(rings[0]!.stopped, true, 'answered: the ringback stops');
  assert.equal(rings.length, 1);
});

test('the direct line takes port 5060 by default, and a free port when its port is taken (the engine says which)', async (t) => {
  const taken = createSocket('udp4');
  await new Promise<void>((resolve) => taken.bind(0, '127.0.0.1', resolve));
  t.after(() => taken.close());
  const port = taken.address().port;
  const engine = await createNodeEngine({ profileDir: tempDir(t, 'softphone-engine-'), directPort: port });
  t.after(() => engine.close());
  const uri = engine.directUri()!;
  assert.match(uri, /^sip:softphone@127\.0\.0\.1:\d+$/);
  assert.notEqual(Number(uri.split(':').at(-1)), port, 'not the taken port');
  assert.equal(engine.state().directUri, uri);
});

test('systemAudioDevices: the provider’s list; none with the reason when it fails or there is no provider', async (t) => {
  const dir = tempDir(t, 'softphone-engine-');
  const failing = await PhoneEngine.open({
    profileDir: dir,
    createLine: nodeLineFactory({ directPort: 0 }),
    listSystemAudioDevices: () => Promise.reject(new Error('no PulseAudio server answers')),
  });
  t.after(() => failing.close());
  assert.deepEqual(await new CommandRegistry(failing).run('settings.systemAudioDevices', {}), { backend: null, inputs: [], outputs: [], error: 'no PulseAudio server answers' });
  const bare = await PhoneEngine.open({ profileDir: tempDir(t, 'softphone-engine-'), createLine: nodeLineFactory({ directPort: 0 }) });
  t.after(() => bare.close());
  assert.equal((await bare.systemAudioDevices()).error, 'this engine has no system audio');
});
