// Re-offers (RFC 3264 §8): o= versions, keeping m= lines and payload numbers, hold and resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSdp } from './parser.js';
import { serializeSdp } from './serializer.js';
import { directionOf } from './sdp.js';
import { aLines, answerOk, answered, crlf, mLine, negotiator, remoteAnswer, remoteOffer } from './fixtures.test.js';

// ------------------------------------------------------------ versions (RFC 3264 §8)

test('RFC 3264 §8: an unchanged re-offer keeps the o= version; a changed one increments it; the session id stays', () => {
  const oa = negotiator();
  const first = oa.createOffer();
  answerOk(oa, remoteAnswer(['m=audio 50000 RTP/AVP 0']));
  const same = oa.createOffer();
  assert.equal(same.origin.sessionVersion, first.origin.sessionVersion);
  answerOk(oa, remoteAnswer(['m=audio 50000 RTP/AVP 0']));
  oa.updateLocal({ port: 40100 });
  const changed = oa.createOffer();
  assert.equal(changed.origin.sessionVersion, String(BigInt(first.origin.sessionVersion) + 1n));
  assert.equal(changed.origin.sessionId, first.origin.sessionId);
});

test('RFC 3264 §8: our answer to a re-offer increments the version only when it differs', () => {
  const oa = negotiator();
  const a1 = answered(oa, remoteOffer(['m=audio 30000 RTP/AVP 0 8'])).description;
  const a2 = answered(oa, remoteOffer(['m=audio 30000 RTP/AVP 0 8'])).description;
  assert.equal(a2.origin.sessionVersion, a1.origin.sessionVersion);
  const a3 = answered(oa, remoteOffer(['m=audio 30000 RTP/AVP 8'])).description;
  assert.equal(a3.origin.sessionVersion, String(BigInt(a1.origin.sessionVersion) + 1n));
});

test('RFC 3264 §8.3.2: a re-offer keeps the dynamic numbers of the previous exchange', () => {
  const oa = negotiator({ codecs: [{ name: 'opus', clockRate: 48000, channels: 2 }, { name: 'PCMU', clockRate: 8000 }] });
  answered(oa, remoteOffer(['m=audio 30000 RTP/AVP 111 0 126', 'a=rtpmap:111 opus/48000/2', 'a=rtpmap:126 telephone-event/8000']));
  const reoffer = oa.createOffer();
  assert.equal(mLine(reoffer), 'm=audio 40000 RTP/AVP 111 0 126');
});

test('RFC 3264 §8: a re-offer keeps the m= lines of the previous exchange, unused ones with port 0', () => {
  const oa = negotiator();
  answered(oa, remoteOffer(['m=video 30002 RTP/AVP 31', 'a=mid:v', 'm=audio 30000 RTP/AVP 0', 'a=mid:a']));
  const reoffer = oa.createOffer();
  assert.deepEqual(reoffer.media.map((m) => `${m.media} ${m.port}`), ['video 0', 'audio 40000']);
  assert.equal(aLines(reoffer, 1)[0], 'a=mid:a');
  const media = answerOk(oa, remoteAnswer(['m=video 0 RTP/AVP 31', 'm=audio 50000 RTP/AVP 0']));
  assert.equal(media[1]?.sendCodec?.name, 'PCMU');
});

test('RFC 3264 §8.2: an answer accepting a stream our re-offer disabled is rejected', () => {
  const oa = negotiator();
  answered(oa, remoteOffer(['m=video 30002 RTP/AVP 31', 'm=audio 30000 RTP/AVP 0']));
  oa.createOffer();
  const r = oa.receiveAnswer(remoteAnswer(['m=video 50002 RTP/AVP 31', 'm=audio 50000 RTP/AVP 0']));
  assert.equal(!r.ok && r.error.code, 'port-not-offered');
});

// ------------------------------------------------------------------ hold (RFC 3264 §8.4)

test('RFC 3264 §8.4: hold re-offers sendonly; the recvonly answer leaves us sending only', () => {
  const oa = negotiator();
  const first = oa.createOffer();
  answerOk(oa, remoteAnswer(['m=audio 50000 RTP/AVP 0']));
  oa.hold();
  const hold = oa.createOffer();
  assert.equal(directionOf(hold.media[0]!), 'sendonly');
  assert.equal(hold.origin.sessionVersion, String(BigInt(first.origin.sessionVersion) + 1n));
  const media = answerOk(oa, remoteAnswer(['m=audio 50000 RTP/AVP 0', 'a=recvonly'], undefined, '7001'));
  assert.equal(media[0]?.direction, 'sendonly');
});

test('RFC 3264 §8.4: hold of a stream that was recvonly is offered inactive', () => {
  const oa = negotiator();
  answered(oa, remoteOffer(['m=audio 30000 RTP/AVP 0', 'a=sendonly']));
  oa.hold();
  assert.equal(directionOf(oa.createOffer().media[0]!), 'inactive');
});

test('RFC 3264 §8.4: resume re-offers sendrecv with a new version', () => {
  const oa = negotiator();
  oa.createOffer();
  answerOk(oa, remoteAnswer(['m=audio 50000 RTP/AVP 0']));
  oa.hold();
  const hold = oa.createOffer();
  answerOk(oa, remoteAnswer(['m=audio 50000 RTP/AVP 0', 'a=recvonly']));
  oa.resume();
  const resume = oa.createOffer();
  assert.equal(directionOf(resume.media[0]!), 'sendrecv');
  assert.equal(resume.origin.sessionVersion, String(BigInt(hold.origin.sessionVersion) + 1n));
  assert.equal(answerOk(oa, remoteAnswer(['m=audio 50000 RTP/AVP 0']))[0]?.direction, 'sendrecv');
});

test('RFC 3264 §8.4: a hold re-offer from the peer (sendonly) is answered recvonly', () => {
  const oa = negotiator();
  answered(oa, remoteOffer(['m=audio 30000 RTP/AVP 0']));
  const { description, media } = answered(oa, crlf('v=0', 'o=remote 5555 5556 IN IP4 198.51.100.20', 's=-', 'c=IN IP4 198.51.100.20', 't=0 0', 'm=audio 30000 RTP/AVP 0', 'a=sendonly'));
  assert.equal(directionOf(description.media[0]!), 'recvonly');
  assert.equal(media[0]?.direction, 'recvonly');
});

test('RFC 3264 §5: the offer parses back to what createOffer returned', () => {
  const oa = negotiator({ rtcpMux: true, rtcpPort: 40001, mid: '0' });
  const sd = oa.createOffer();
  const r = parseSdp(serializeSdp(sd));
  assert.ok(r.ok);
  assert.deepEqual(r.value, sd);
});
