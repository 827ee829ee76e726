// How the UI writes durations, times, outcomes, call states, quality and registration.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callStateLabel, dayBucket, formatDuration, isIncoming, outcomeLabel, quality, registrationLabel, spokenDuration, toMs } from '../../web/src/format.js';

test('call timers read m:ss under an hour and h:mm:ss above', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(7_900), '0:07');
  assert.equal(formatDuration(754_000), '12:34');
  assert.equal(formatDuration(3_723_000), '1:02:03');
  assert.equal(formatDuration(36_000_000), '10:00:00');
});

test('missing, negative and non-finite durations read 0:00', () => {
  assert.equal(formatDuration(null), '0:00');
  assert.equal(formatDuration(undefined), '0:00');
  assert.equal(formatDuration(-5_000), '0:00');
  assert.equal(formatDuration(Number.NaN), '0:00');
});

test('spoken durations name their units', () => {
  assert.equal(spokenDuration(0), '0 seconds');
  assert.equal(spokenDuration(1_000), '1 second');
  assert.equal(spokenDuration(65_000), '1 minute 5 seconds');
  assert.equal(spokenDuration(7_200_000), '2 hours');
});

test('API times are epoch ms, epoch seconds or ISO 8601', () => {
  assert.equal(toMs(1_700_000_000_000), 1_700_000_000_000);
  assert.equal(toMs(1_700_000_000), 1_700_000_000_000);
  assert.equal(toMs('2023-11-14T22:13:20.000Z'), 1_700_000_000_000);
  assert.equal(toMs('1700000000000'), 1_700_000_000_000);
  assert.equal(toMs(null), null);
  assert.equal(toMs('yesterday'), null);
});

test('history times are grouped by calendar day in local time', () => {
  const now = new Date(2025, 2, 12, 10, 0).getTime();
  assert.equal(dayBucket(new Date(2025, 2, 12, 0, 5).getTime(), now), 'today');
  assert.equal(dayBucket(new Date(2025, 2, 11, 23, 59).getTime(), now), 'yesterday');
  assert.equal(dayBucket(new Date(2025, 2, 7, 12, 0).getTime(), now), 'this-week');
  assert.equal(dayBucket(new Date(2025, 2, 5, 12, 0).getTime(), now), 'older');
  assert.equal(dayBucket(new Date(2025, 2, 13, 1, 0).getTime(), now), 'future');
});

test('outcomes read as words; a failure carries its reason', () => {
  assert.equal(outcomeLabel({ outcome: 'answered', reason: null }), 'Answered');
  assert.equal(outcomeLabel({ outcome: 'missed', reason: null }), 'Missed');
  assert.equal(outcomeLabel({ outcome: 'failed', reason: '404 Not Found' }), 'Failed: 404 Not Found');
  assert.equal(outcomeLabel({ outcome: 'declined', reason: '603 Decline' }), 'Declined');
  assert.equal(isIncoming('in'), true);
  assert.equal(isIncoming('incoming'), true);
  assert.equal(isIncoming('outgoing'), false);
});

test('call states, with hold on either side', () => {
  const hold = { local: false, remote: false };
  assert.equal(callStateLabel({ state: 'ringing', direction: 'outgoing', hold }), 'Ringing…');
  assert.equal(callStateLabel({ state: 'established', direction: 'outgoing', hold }), 'Connected');
  assert.equal(callStateLabel({ state: 'established', direction: 'outgoing', hold: { local: true, remote: false } }), 'On hold');
  assert.equal(callStateLabel({ state: 'established', direction: 'incoming', hold: { local: false, remote: true } }), 'Held by the other party');
});

test('the quality line: loss, jitter, round trip, and a level', () => {
  assert.deepEqual(quality({ lossPct: 0, jitterMs: 3.4, rttMs: 42 }), { text: 'Loss 0.0% · Jitter 3 ms · RTT 42 ms', level: 'good' });
  assert.equal(quality({ lossPct: 2, jitterMs: 3, rttMs: 0 })?.level, 'fair');
  assert.equal(quality({ lossPct: 2, jitterMs: 3, rttMs: 0 })?.text, 'Loss 2.0% · Jitter 3 ms', 'no RTT until RTCP has measured one');
  assert.equal(quality({ lossPct: 0, jitterMs: 80, rttMs: 20 })?.level, 'poor');
  assert.equal(quality(undefined), null);
});

test('registration states carry the server status and reason', () => {
  assert.equal(registrationLabel({ state: 'registered', expires: 3600 }), 'Registered (3600 s)');
  assert.equal(registrationLabel({ state: 'failed', status: 403, reason: 'Forbidden' }), 'Failed: 403 Forbidden');
  assert.equal(registrationLabel({ state: 'failed', reason: 'DNS lookup failed: pbx.invalid' }), 'Failed: DNS lookup failed: pbx.invalid');
  assert.equal(registrationLabel({ state: 'retry-wait', status: 503, reason: 'Service Unavailable' }), 'Retrying after: 503 Service Unavailable');
  assert.equal(registrationLabel({ state: 'registered' }, false), 'Disabled');
});
