// The UI's state: GET /api/state kept current by the WebSocket events.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Account, CallInfo } from '../../web/src/api-types.js';
import { defaultAccount, EMPTY_STATE, focusedCall, phoneReducer, reconnectDelay } from '../../web/src/phone-state.js';

const account = (id: string, more: Partial<Account> = {}): Account => ({
  id,
  aor: `sip:${id}@pbx.example.com`,
  displayName: '',
  authUser: '',
  registrar: '',
  outboundProxy: '',
  transport: 'udp',
  enabled: true,
  isDefault: false,
  hasPassword: true,
  registration: { state: 'registering' },
  ...more,
});

const call = (id: string, state: CallInfo['state'], more: Partial<CallInfo> = {}): CallInfo => ({
  id,
  accountId: 'a1',
  direction: 'incoming',
  state,
  remote: { uri: `sip:${id}@pbx.example.com`, displayName: null, contactName: null },
  startedAt: 1_700_000_000_000,
  answeredAt: null,
  codec: null,
  muted: false,
  hold: { local: false, remote: false },
  ...more,
});

test('the state event replaces everything and drops ended calls', () => {
  const s = phoneReducer(EMPTY_STATE, {
    type: 'state',
    data: { accounts: [account('a1')], calls: [call('c1', 'established'), call('c2', 'ended')], settings: null, missedCount: 2, directUri: 'sip:softphone@127.0.0.1:5060' },
  });
  assert.equal(s.accounts.length, 1);
  assert.equal(s.directUri, 'sip:softphone@127.0.0.1:5060');
  assert.deepEqual(s.calls.map((c) => c.id), ['c1']);
  assert.equal(s.missedCount, 2);
  assert.equal(s.historyVersion, 1, 'open lists fetch again after a reconnection');
});

test('registration events update one account, given as a whole or as its registration', () => {
  let s = phoneReducer(EMPTY_STATE, { type: 'state', data: { accounts: [account('a1'), account('a2')], calls: [], settings: null, missedCount: 0 } });
  s = phoneReducer(s, { type: 'registration', data: { accountId: 'a1', registration: { state: 'failed', status: 403, reason: 'Forbidden' } } });
  assert.deepEqual(s.accounts[0]?.registration, { state: 'failed', status: 403, reason: 'Forbidden', expires: undefined });
  s = phoneReducer(s, { type: 'registration', data: { accountId: 'a2', state: 'registered', expires: 600 } });
  assert.equal(s.accounts[1]?.registration.state, 'registered');
  s = phoneReducer(s, { type: 'registration', data: account('a3', { registration: { state: 'registered' } }) });
  assert.equal(s.accounts.length, 3);
  assert.equal(phoneReducer(s, { type: 'registration', data: { nonsense: true } }), s);
});

test('call and incoming events add or update a call; ended removes it', () => {
  let s = phoneReducer(EMPTY_STATE, { type: 'incoming', data: call('c1', 'incoming') });
  assert.equal(s.calls[0]?.state, 'incoming');
  s = phoneReducer(s, { type: 'call', data: { call: call('c1', 'established', { codec: 'PCMU' }) } });
  assert.equal(s.calls.length, 1);
  assert.equal(s.calls[0]?.codec, 'PCMU');
  s = phoneReducer(s, { type: 'call', data: call('c1', 'ended') });
  assert.equal(s.calls.length, 0);
});

test('stats and received DTMF attach to their call', () => {
  let s = phoneReducer(EMPTY_STATE, { type: 'call', data: call('c1', 'established') });
  s = phoneReducer(s, { type: 'stats', data: { callId: 'c1', stats: { lossPct: 1.5, jitterMs: 12, rttMs: 80 } } });
  assert.deepEqual(s.calls[0]?.stats, { lossPct: 1.5, jitterMs: 12, rttMs: 80 });
  s = phoneReducer(s, { type: 'dtmf', data: { callId: 'c1', digit: '5' } });
  s = phoneReducer(s, { type: 'dtmf', data: { callId: 'c1', digits: '#' } });
  s = phoneReducer(s, { type: 'dtmf', data: { callId: 'c1', digits: '9', direction: 'sent' } });
  assert.equal(s.dtmfReceived.c1, '5#');
});

test('history events bump the list version and carry the missed count when given', () => {
  let s = phoneReducer(EMPTY_STATE, { type: 'history', data: { missedCount: 3 } });
  assert.equal(s.missedCount, 3);
  s = phoneReducer(s, { type: 'history', data: { id: 7 } });
  assert.equal(s.missedCount, 3);
  assert.equal(s.historyVersion, 2);
  assert.equal(phoneReducer(s, { type: 'contacts', data: null }).contactsVersion, 1);
});

test('settings events merge; unknown events change nothing', () => {
  const s = phoneReducer(EMPTY_STATE, { type: 'settings', data: { dtmfMode: 'info' } });
  assert.equal(s.settings?.dtmfMode, 'info');
  assert.equal(phoneReducer(s, { type: 'presence', data: {} }), s);
});

test('the call screen shows the chosen call, else a ringing one, else the active one', () => {
  const held = call('c1', 'established', { hold: { local: true, remote: false } });
  const ringing = call('c2', 'incoming');
  const active = call('c3', 'established');
  assert.equal(focusedCall([], null), null);
  assert.equal(focusedCall([held, ringing, active], null)?.id, 'c2');
  assert.equal(focusedCall([held, active], null)?.id, 'c3');
  assert.equal(focusedCall([held, ringing, active], 'c1')?.id, 'c1');
  assert.equal(focusedCall([held, active], 'gone')?.id, 'c3');
});

test('calls go out from the default account, else the first enabled one', () => {
  assert.equal(defaultAccount([account('a1'), account('a2', { isDefault: true })])?.id, 'a2');
  assert.equal(defaultAccount([account('a1', { enabled: false }), account('a2')])?.id, 'a2');
  assert.equal(defaultAccount([]), null);
});

test('reconnection waits 0.5 s doubling to 30 s, ±20 %', () => {
  const mid = () => 0.5;
  assert.deepEqual([0, 1, 2, 3, 6, 7, 20].map((n) => reconnectDelay(n, mid)), [500, 1000, 2000, 4000, 30000, 30000, 30000]);
  assert.equal(reconnectDelay(0, () => 0), 400);
  assert.equal(reconnectDelay(10, () => 1), 36000);
});

test('numeric account ids (the engine\'s) match their registration and accounts events', () => {
  let s = phoneReducer(EMPTY_STATE, { type: 'state', data: { accounts: [account('x', { id: 7 })], calls: [], settings: null, missedCount: 0 } });
  s = phoneReducer(s, { type: 'registration', data: { accountId: 7, registration: { state: 'registered', expires: 300 } } });
  assert.equal(s.accounts[0]?.registration.state, 'registered');
  s = phoneReducer(s, { type: 'accounts', data: { accounts: [account('x', { id: 7 }), account('y', { id: 8, isDefault: true })] } });
  assert.deepEqual(s.accounts.map((a) => a.id), [7, 8]);
  assert.equal(defaultAccount(s.accounts)?.id, 8);
});

test('an ended call leaves a note of why', () => {
  let s = phoneReducer(EMPTY_STATE, { type: 'call', data: call('c1', 'calling', { direction: 'outgoing' }) });
  s = phoneReducer(s, { type: 'call', data: call('c1', 'ended', { end: { reason: 'Busy Here', status: 486, by: 'remote', outcome: 'busy' } }) });
  assert.equal(s.calls.length, 0);
  assert.equal(s.lastEnded?.reason, '486 Busy Here');
  assert.equal(s.lastEnded?.outcome, 'busy');
  assert.equal(s.lastEnded?.name, 'c1', 'named as the call screen names it');
  s = phoneReducer(s, { type: 'call', data: call('c2', 'established') });
  s = phoneReducer(s, { type: 'call', data: call('c2', 'ended', { end: { reason: 'hung up', by: 'local', outcome: 'answered' } }) });
  assert.equal(s.lastEnded, null, 'no note when this side hung up');
});

test('a call update without stats keeps the last stats', () => {
  let s = phoneReducer(EMPTY_STATE, { type: 'call', data: call('c1', 'established') });
  s = phoneReducer(s, { type: 'stats', data: { callId: 'c1', lossPct: 0, jitterMs: 2, rttMs: null } });
  s = phoneReducer(s, { type: 'call', data: call('c1', 'established', { muted: true }) });
  assert.deepEqual(s.calls[0]?.stats, { lossPct: 0, jitterMs: 2, rttMs: null });
  assert.equal(s.calls[0]?.muted, true);
});

test('a late REST reply does not take a call back: not behind its state, not after it ended', () => {
  let s = phoneReducer(EMPTY_STATE, { type: 'call', data: call('c1', 'calling', { direction: 'outgoing' }) });
  s = phoneReducer(s, { type: 'call', data: call('c1', 'established', { direction: 'outgoing' }) });
  // The dial's reply ("calling") lands after the established event.
  s = phoneReducer(s, { type: 'call', data: call('c1', 'calling', { direction: 'outgoing' }) });
  assert.equal(s.calls[0]?.state, 'established');
  // Hold changes within a state still apply.
  s = phoneReducer(s, { type: 'call', data: call('c1', 'established', { direction: 'outgoing', hold: { local: true, remote: false } }) });
  assert.equal(s.calls[0]?.hold.local, true);
  // It ends; a reply about it arriving later does not bring it back.
  s = phoneReducer(s, { type: 'call', data: call('c1', 'ended', { direction: 'outgoing' }) });
  s = phoneReducer(s, { type: 'call', data: call('c1', 'ringing', { direction: 'outgoing' }) });
  assert.deepEqual(s.calls, []);
});
