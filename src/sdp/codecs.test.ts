import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  STATIC_PAYLOAD_TYPES,
  codecsOf,
  formatEventList,
  isAuxiliary,
  parseEventList,
  resolveFormat,
  sameCodec,
  staticPayloadTypeFor,
} from './codecs.js';
import type { MediaDescription } from './sdp.js';

function media(formats: string[], attributes: MediaDescription['attributes'] = []): MediaDescription {
  return { media: 'audio', port: 5000, proto: 'RTP/AVP', formats, connections: [], bandwidths: [], attributes };
}

test('RFC 3551 §6: static audio payload types PCMU 0, PCMA 8, G722 9, CN 13, G729 18', () => {
  assert.deepEqual(STATIC_PAYLOAD_TYPES.get(0), { name: 'PCMU', clockRate: 8000, channels: 1, media: 'audio' });
  assert.equal(STATIC_PAYLOAD_TYPES.get(8)?.name, 'PCMA');
  assert.equal(STATIC_PAYLOAD_TYPES.get(13)?.name, 'CN');
  assert.equal(STATIC_PAYLOAD_TYPES.get(18)?.name, 'G729');
  assert.equal(STATIC_PAYLOAD_TYPES.get(96), undefined);
});

test('RFC 3551 §4.5.2: G722 has an RTP clock rate of 8000 although it samples at 16000', () => {
  assert.equal(STATIC_PAYLOAD_TYPES.get(9)?.clockRate, 8000);
  assert.equal(staticPayloadTypeFor('G722', 8000), 9);
  assert.equal(staticPayloadTypeFor('G722', 16000), undefined);
});

test('RFC 3551 §6: static number lookup ignores case and checks clock and channels', () => {
  assert.equal(staticPayloadTypeFor('pcmu', 8000), 0);
  assert.equal(staticPayloadTypeFor('L16', 44100, 2), 10);
  assert.equal(staticPayloadTypeFor('L16', 44100, 1), 11);
  assert.equal(staticPayloadTypeFor('opus', 48000, 2), undefined);
});

test('RFC 8866 §6.6: a static format resolves without an rtpmap; a dynamic one needs it', () => {
  const m = media(['0', '96', '97'], [{ kind: 'rtpmap', payloadType: 96, encodingName: 'opus', clockRate: 48000, channels: 2 }]);
  assert.deepEqual(resolveFormat(m, '0'), { payloadType: 0, name: 'PCMU', clockRate: 8000, channels: 1 });
  assert.deepEqual(resolveFormat(m, '96'), { payloadType: 96, name: 'opus', clockRate: 48000, channels: 2 });
  assert.equal(resolveFormat(m, '97'), undefined);
  assert.equal(resolveFormat(m, 'webrtc-datachannel'), undefined);
  assert.deepEqual(codecsOf(m).map((c) => c.payloadType), [0, 96]);
});

test('RFC 3264 §6.1: dynamic codecs match by encoding name (any case), clock rate and channels', () => {
  assert.ok(sameCodec({ name: 'OPUS', clockRate: 48000, channels: 2 }, { name: 'opus', clockRate: 48000, channels: 2 }));
  assert.ok(!sameCodec({ name: 'opus', clockRate: 48000, channels: 2 }, { name: 'opus', clockRate: 48000 }));
  assert.ok(!sameCodec({ name: 'telephone-event', clockRate: 8000 }, { name: 'telephone-event', clockRate: 48000 }));
  assert.ok(sameCodec({ name: 'PCMU', clockRate: 8000 }, { name: 'PCMU', clockRate: 8000, channels: 1 }));
});

test('RFC 4733 §2.4.1: event lists parse and format; no list means 0-15', () => {
  assert.deepEqual([...(parseEventList('0-3,10,12-13') ?? [])], [0, 1, 2, 3, 10, 12, 13]);
  assert.equal(parseEventList(undefined)?.size, 16);
  assert.equal(parseEventList('0-x'), undefined);
  assert.equal(parseEventList('5-2'), undefined);
  assert.equal(formatEventList(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])), '0-16');
  assert.equal(formatEventList(new Set([66, 0, 1, 70, 2])), '0-2,66,70');
});

test('RFC 4733, RFC 3389: telephone-event and CN are auxiliary, never the audio codec', () => {
  assert.ok(isAuxiliary({ name: 'telephone-event' }));
  assert.ok(isAuxiliary({ name: 'CN' }));
  assert.ok(!isAuxiliary({ name: 'PCMU' }));
});
