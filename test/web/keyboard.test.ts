// The keyboard map: which key does what on which screen.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyAction, SHORTCUTS, type KeyContext } from '../../web/src/keyboard.js';

const idle: KeyContext = { incoming: false, active: false, established: false, lines: 0, phoneScreen: true };
const ringing: KeyContext = { ...idle, incoming: true, lines: 1 };
const inCall: KeyContext = { incoming: false, active: true, established: true, lines: 1, phoneScreen: true };
const key = (k: string, more: Partial<{ inEditable: boolean; ctrlKey: boolean; altKey: boolean; metaKey: boolean }> = {}) => ({ key: k, inEditable: false, ...more });

test('A answers and X declines only while a call rings', () => {
  assert.deepEqual(keyAction(key('a'), ringing), { type: 'answer' });
  assert.deepEqual(keyAction(key('A'), ringing), { type: 'answer' }, 'Shift or Caps Lock does not matter');
  assert.deepEqual(keyAction(key('x'), ringing), { type: 'decline' });
  assert.equal(keyAction(key('a'), idle), null);
  assert.equal(keyAction(key('x'), inCall), null);
});

test('H hangs up, M mutes, P holds, T transfers, K opens the keypad in a call', () => {
  assert.deepEqual(keyAction(key('h'), inCall), { type: 'hangup' });
  assert.deepEqual(keyAction(key('m'), inCall), { type: 'mute' });
  assert.deepEqual(keyAction(key('p'), inCall), { type: 'hold' });
  assert.deepEqual(keyAction(key('t'), inCall), { type: 'transfer' });
  assert.deepEqual(keyAction(key('k'), inCall), { type: 'keypad' });
  assert.equal(keyAction(key('m'), idle), null);
  assert.equal(keyAction(key('h'), idle), null);
});

test('H cancels an outgoing call that is still ringing; M waits for the answer', () => {
  const calling: KeyContext = { ...idle, active: true, lines: 1 };
  assert.deepEqual(keyAction(key('h'), calling), { type: 'hangup' });
  assert.equal(keyAction(key('m'), calling), null);
});

test('S switches lines only when there are two or more', () => {
  assert.equal(keyAction(key('s'), inCall), null);
  assert.deepEqual(keyAction(key('s'), { ...inCall, lines: 2 }), { type: 'switch' });
});

test('digits send DTMF in an established call and type into the dial pad otherwise', () => {
  assert.deepEqual(keyAction(key('5'), inCall), { type: 'dtmf', digit: '5' });
  assert.deepEqual(keyAction(key('#'), inCall), { type: 'dtmf', digit: '#' });
  assert.deepEqual(keyAction(key('*'), idle), { type: 'dial-digit', digit: '*' });
  assert.equal(keyAction(key('5'), { ...idle, phoneScreen: false }), null, 'not on the history or contacts screens');
  assert.equal(keyAction(key('5'), { ...idle, active: true, lines: 1 }), null, 'not while an outgoing call rings');
});

test('D focuses the dial pad, ? shows help, Esc goes back even from a text field', () => {
  assert.deepEqual(keyAction(key('d'), idle), { type: 'focus-dial' });
  assert.deepEqual(keyAction(key('?'), idle), { type: 'help' });
  assert.deepEqual(keyAction(key('Escape', { inEditable: true }), idle), { type: 'back' });
});

test('letters typed in a text field, and keys with Ctrl, Alt or Meta, are left alone', () => {
  assert.equal(keyAction(key('a', { inEditable: true }), ringing), null);
  assert.equal(keyAction(key('5', { inEditable: true }), inCall), null);
  assert.equal(keyAction(key('h', { ctrlKey: true }), inCall), null, 'Ctrl+H is the browser history');
  assert.equal(keyAction(key('d', { altKey: true }), idle), null);
  assert.equal(keyAction(key('m', { metaKey: true }), inCall), null);
});

test('every documented single-letter shortcut does something in some context', () => {
  const contexts = [idle, ringing, inCall, { ...inCall, lines: 2 }];
  for (const s of SHORTCUTS.filter((x) => /^[A-Z?]$/.test(x.keys))) {
    assert.ok(
      contexts.some((c) => keyAction(key(s.keys === '?' ? '?' : s.keys.toLowerCase()), c) !== null),
      `${s.keys} (${s.does}) is mapped`,
    );
  }
});
