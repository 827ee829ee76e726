// Offer/answer against the hand-written vectors of test/vectors/rfc4317 (see the README there).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { directionOf, findAttribute, otherAttributes } from './sdp.js';
import { serializeSdp } from './serializer.js';
import { aLines, answered, mLine, negotiator, parse } from './fixtures.test.js';

const vector = (name: string): string =>
  readFileSync(fileURLToPath(new URL(`../../test/vectors/rfc4317/${name}`, import.meta.url)), 'utf8');

test('RFC 4317 §2.1 (own vector): audio+video offer answered with PCMU/PCMA in Alice’s order, video rejected', () => {
  const { description, media } = answered(negotiator({ codecs: [{ name: 'PCMA', clockRate: 8000 }, { name: 'PCMU', clockRate: 8000 }] }), vector('audio-video-offer.sdp'));
  assert.equal(mLine(description, 0), 'm=audio 40000 RTP/AVP 0 8');
  assert.equal(mLine(description, 1), 'm=video 0 RTP/AVP 31');
  assert.equal(media[0]?.sendCodec?.name, 'PCMU');
  assert.deepEqual(media[0]?.remote, { address: 'host.atlanta.example.com', rtpPort: 49170, rtcpPort: 49171, rtcpAddress: 'host.atlanta.example.com' });
  assert.equal(media[1]?.rejected, true);
});

test('RFC 4317 §2.4 (own vector): dynamic numbers of the offer are kept; the second audio stream is rejected', () => {
  const oa = negotiator({
    codecs: [
      { name: 'opus', clockRate: 48000, channels: 2 },
      { name: 'PCMU', clockRate: 8000 },
    ],
  });
  const { description, media } = answered(oa, vector('dynamic-pt-offer.sdp'));
  assert.equal(mLine(description, 0), 'm=audio 40000 RTP/AVP 99 0 102');
  assert.ok(aLines(description, 0).includes('a=fmtp:102 0-11'));
  assert.equal(mLine(description, 1), 'm=audio 0 RTP/AVP 0');
  assert.equal(media[0]?.sendCodec?.payloadType, 99);
  assert.equal(media[0]?.telephoneEvent?.events, '0-11');
});

test('RFC 3264 §6.1: answering a baresip-style offer (opus, G722, G.711, rtcp-mux, video)', () => {
  const oa = negotiator({
    rtcpMux: true,
    codecs: [
      { name: 'PCMA', clockRate: 8000 },
      { name: 'PCMU', clockRate: 8000 },
      { name: 'G722', clockRate: 8000 },
    ],
  });
  const { description, media } = answered(oa, vector('baresip-offer.sdp'));
  assert.equal(mLine(description, 0), 'm=audio 40000 RTP/AVP 9 0 8 101');
  assert.ok(aLines(description, 0).includes('a=fmtp:101 0-15'), 'events narrowed to the offer’s 0-15');
  assert.ok(aLines(description, 0).includes('a=rtcp-mux'));
  assert.equal(mLine(description, 1), 'm=video 0 RTP/AVP 115');
  const m = media[0]!;
  assert.equal(m.sendCodec?.name, 'G722');
  assert.equal(m.sendCodec?.clockRate, 8000);
  assert.equal(m.rtcpMux, true);
  assert.deepEqual(m.remote, { address: '10.0.0.20', rtpPort: 10374, rtcpPort: 10374, rtcpAddress: '10.0.0.20' });
  assert.equal(otherAttributes(m.remoteAttributes, 'ssrc').length, 1);
  assert.equal(serializeSdp(parse(serializeSdp(description))), serializeSdp(description));
});

test('RFC 3264 §6.1: answering an Asterisk-style offer (PCMA first, GSM, telephone-event 0-16, maxptime)', () => {
  const { description, media } = answered(negotiator(), vector('asterisk-offer.sdp'));
  assert.equal(mLine(description), 'm=audio 40000 RTP/AVP 8 0 101');
  assert.ok(aLines(description).includes('a=fmtp:101 0-16'));
  assert.equal(media[0]?.sendCodec?.name, 'PCMA');
  assert.equal(media[0]?.maxptime, 150);
  assert.equal(media[0]?.ptime, 20);
  assert.equal(media[0]?.remote.address, '203.0.113.5');
});

test('RFC 3264 §8.4: the Asterisk-style hold re-INVITE (sendonly) is answered recvonly, our version unchanged in content', () => {
  const oa = negotiator();
  const first = answered(oa, vector('asterisk-offer.sdp'));
  const r = oa.receiveOffer(vector('asterisk-hold-reoffer.sdp'));
  assert.ok(r.ok && !r.value.unchanged);
  const hold = oa.createAnswer();
  assert.equal(directionOf(hold.description.media[0]!), 'recvonly');
  assert.equal(hold.media[0]?.direction, 'recvonly');
  assert.equal(mLine(hold.description), 'm=audio 40000 RTP/AVP 8 101');
  assert.equal(hold.description.origin.sessionVersion, String(BigInt(first.description.origin.sessionVersion) + 1n));
  assert.equal(findAttribute(hold.description.media[0]!.attributes, 'ptime')?.value, 20);
});

test('RFC 3264 §6 (own vector): our answers parse back to themselves', () => {
  for (const name of ['audio-video-offer.sdp', 'dynamic-pt-offer.sdp', 'baresip-offer.sdp', 'asterisk-offer.sdp']) {
    const { description } = answered(negotiator({ codecs: [{ name: 'PCMU', clockRate: 8000 }, { name: 'PCMA', clockRate: 8000 }] }), vector(name));
    assert.deepEqual(parse(serializeSdp(description)), description, name);
  }
});
