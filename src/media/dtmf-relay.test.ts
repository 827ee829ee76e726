import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDtmfBody, parseDtmfInfo, parseDtmfRelay, serializeDtmfBody, serializeDtmfRelay } from './dtmf-relay.js';

test('SIP INFO application/dtmf-relay: Signal and Duration lines', () => {
  assert.deepEqual(parseDtmfRelay('Signal=5\r\nDuration=160\r\n'), { ok: true, value: { signal: '5', durationMs: 160 } });
  assert.deepEqual(parseDtmfRelay('signal = #\nduration= 250\n'), { ok: true, value: { signal: '#', durationMs: 250 } });
  assert.deepEqual(parseDtmfRelay('Signal=10\r\n'), { ok: true, value: { signal: '*', durationMs: undefined } });
  assert.deepEqual(parseDtmfRelay('Signal=a\r\nX-Other=1\r\n'), { ok: true, value: { signal: 'A', durationMs: undefined } });
  assert.equal(serializeDtmfRelay({ signal: '5', durationMs: 160 }), 'Signal=5\r\nDuration=160\r\n');
  assert.equal(serializeDtmfRelay({ signal: '#' }), 'Signal=#\r\n');
});

test('SIP INFO application/dtmf-relay: bad bodies are results with an offset', () => {
  const r = parseDtmfRelay('Signal=Z\r\n');
  assert.ok(!r.ok && r.error.code === 'dtmf-relay-bad-signal' && r.error.offset === 7);
  const d = parseDtmfRelay('Signal=1\r\nDuration=abc\r\n');
  assert.ok(!d.ok && d.error.code === 'dtmf-relay-bad-duration' && d.error.offset === 19);
  assert.equal(parseDtmfRelay('Duration=100\r\n').ok, false);
  assert.throws(() => serializeDtmfRelay({ signal: 'x' }), { code: 'dtmf-bad-signal' });
});

test('SIP INFO application/dtmf: the digit alone', () => {
  assert.deepEqual(parseDtmfBody('7\r\n'), { ok: true, value: { signal: '7' } });
  assert.deepEqual(parseDtmfBody('11'), { ok: true, value: { signal: '#' } });
  assert.equal(parseDtmfBody('77').ok, false);
  assert.equal(serializeDtmfBody('*'), '*');
});

test('SIP INFO: dispatch by Content-Type, parameters and case ignored', () => {
  assert.deepEqual(parseDtmfInfo('Application/DTMF-Relay; charset=utf-8', 'Signal=9\r\n'), { ok: true, value: { signal: '9', durationMs: undefined } });
  assert.deepEqual(parseDtmfInfo('application/dtmf', '3'), { ok: true, value: { signal: '3' } });
  assert.equal(parseDtmfInfo('application/sdp', 'v=0'), undefined);
});
