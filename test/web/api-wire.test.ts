// The engine's wire forms (dotted settings keys, { entries } history pages) in the UI's shapes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventFromWire, historyPageFromWire, settingsFromWire, settingsToWire } from '../../web/src/api-wire.js';

const DOTTED = {
  'audio.codecs': ['PCMU', 'opus'],
  'audio.inputDevice': null,
  'audio.outputDevice': 'alsa_output.usb-headset',
  'audio.inputLevel': 80,
  'audio.outputLevel': 65,
  'audio.ringtone': 'chime',
  'call.dtmfMode': 'info',
  'call.dnd': true,
  'call.dndAction': 'forward',
  'call.dndForwardTarget': 'sip:voicemail@pbx',
  'call.autoAnswer': true,
  'call.autoAnswerDelayMs': 3000,
  'history.retentionDays': 0,
};

test("the store's dotted settings read as the UI's nested ones", () => {
  assert.deepEqual(settingsFromWire(DOTTED), {
    codecs: ['PCMU', 'opus'],
    dtmfMode: 'info',
    inputDevice: null,
    outputDevice: 'alsa_output.usb-headset',
    inputLevel: 80,
    outputLevel: 65,
    ringtone: 'chime',
    dnd: { enabled: true, mode: 'forward', target: 'sip:voicemail@pbx' },
    autoAnswer: { enabled: true, delayS: 3 },
  });
});

test('nested settings pass through; a partial dotted event stays partial', () => {
  const nested = { codecs: ['opus'], dnd: { enabled: false, mode: 'reject', target: null } };
  assert.deepEqual(settingsFromWire(nested), nested);
  assert.deepEqual(settingsFromWire({ 'call.dtmfMode': 'inband' }), { dtmfMode: 'inband' });
});

test('changes go back in the form the engine speaks', () => {
  const patch = { dnd: { enabled: true, mode: 'reject' as const, target: null }, autoAnswer: { enabled: true, delayS: 2.5 }, codecs: ['G722'] };
  assert.deepEqual(settingsToWire(patch, true), {
    'audio.codecs': ['G722'],
    'call.dnd': true,
    'call.dndAction': 'reject',
    'call.dndForwardTarget': null,
    'call.autoAnswer': true,
    'call.autoAnswerDelayMs': 2500,
  });
  assert.deepEqual(settingsToWire(patch, false), patch);
  assert.deepEqual(settingsToWire({ inputDevice: null }, true), { 'audio.inputDevice': null }, 'null (system default) is sent, not dropped');
});

test('a history page is { calls, next } or { entries, next, missedCount }', () => {
  assert.deepEqual(historyPageFromWire({ calls: [], next: null }), { calls: [], next: null });
  const row = { id: 1 };
  assert.deepEqual(historyPageFromWire({ entries: [row], next: '42', missedCount: 2 }), { calls: [row], next: '42', missedCount: 2 });
  assert.deepEqual(historyPageFromWire('nonsense'), { calls: [], next: null });
});

test('state and settings events carry settings in the UI shape', () => {
  const state = eventFromWire({ type: 'state', data: { accounts: [], calls: [], settings: DOTTED, missedCount: 0 } });
  assert.equal((state.data as { settings: { dtmfMode: string } }).settings.dtmfMode, 'info');
  assert.deepEqual(eventFromWire({ type: 'settings', data: { 'call.dnd': false } }).data, { dnd: { enabled: false, mode: 'reject', target: null } });
  const call = { type: 'call', data: { id: 'c1' } };
  assert.equal(eventFromWire(call), call);
});
