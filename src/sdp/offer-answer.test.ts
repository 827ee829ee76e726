import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OfferAnswer } from './offer-answer.js';
import { SdpError } from './errors.js';
import { serializeSdp } from './serializer.js';
import { directionOf } from './sdp.js';
import { aLines, answerOk, answered, localAudio, mLine, negotiator, offered, parse, remoteAnswer, remoteOffer } from './fixtures.test.js';

// ---------------------------------------------------------------- offers (RFC 3264 §5)

test('RFC 3264 §5.1: the offer lists our codecs in preference order, then telephone-event 101', () => {
  const sd = offered(negotiator());
  assert.equal(mLine(sd), 'm=audio 40000 RTP/AVP 0 8 101');
  assert.deepEqual(aLines(sd), [
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=ptime:20',
    'a=sendrecv',
  ]);
});

test('RFC 3264 §5.1: the offer has v=0, our o=, s=-, a session-level c= and t=0 0', () => {
  const text = serializeSdp(offered(negotiator()));
  assert.ok(
    text.startsWith('v=0\r\no=- 1000 1000 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\n'),
    text,
  );
  assert.deepEqual(parse(text), parse(serializeSdp(parse(text))));
});

test('RFC 3551 §3: dynamic codecs get numbers from 96 up, skipping telephone-event’s 101', () => {
  const oa = negotiator({
    codecs: [
      { name: 'opus', clockRate: 48000, channels: 2, fmtp: 'useinbandfec=1' },
      { name: 'G722', clockRate: 8000 },
      { name: 'L16', clockRate: 16000 },
      { name: 'PCMU', clockRate: 8000 },
    ],
  });
  const sd = offered(oa);
  assert.equal(mLine(sd), 'm=audio 40000 RTP/AVP 96 9 97 0 101');
  assert.deepEqual(aLines(sd).slice(0, 5), [
    'a=rtpmap:96 opus/48000/2',
    'a=fmtp:96 useinbandfec=1',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:97 L16/16000',
    'a=rtpmap:0 PCMU/8000',
  ]);
});

test('RFC 4733 §7.1.1: telephone-event PT, clock and events are configurable, or left out', () => {
  const custom = offered(negotiator({ telephoneEvent: { payloadType: 110, events: '0-15' } }));
  assert.equal(mLine(custom), 'm=audio 40000 RTP/AVP 0 8 110');
  assert.ok(aLines(custom).includes('a=fmtp:110 0-15'));
  const none = offered(negotiator({ telephoneEvent: false }));
  assert.equal(mLine(none), 'm=audio 40000 RTP/AVP 0 8');
});

test('RFC 5761 §5.1.1: a=rtcp-mux is offered only when enabled', () => {
  assert.ok(aLines(offered(negotiator({ rtcpMux: true }))).includes('a=rtcp-mux'));
  assert.ok(!aLines(offered(negotiator())).includes('a=rtcp-mux'));
});

test('RFC 3605 §2.1: a configured RTCP port is written as a=rtcp', () => {
  assert.ok(aLines(offered(negotiator({ rtcpPort: 40005 }))).includes('a=rtcp:40005'));
});

test('RFC 3264 §5.1: direction, maxptime, mid and extra attributes go in the offer', () => {
  const sd = offered(
    negotiator({ direction: 'recvonly', maxptime: 40, ptime: 30, mid: 'a0', attributes: [{ kind: 'other', name: 'x-test', value: '1' }] }),
  );
  const a = aLines(sd);
  assert.equal(a[0], 'a=mid:a0');
  assert.deepEqual(a.slice(-4), ['a=ptime:30', 'a=maxptime:40', 'a=recvonly', 'a=x-test:1']);
});

test('RFC 8866 §5.7: an IPv6 local address gives IN IP6 in o= and c=', () => {
  const text = serializeSdp(offered(negotiator({ address: '2001:db8::10' })));
  assert.match(text, /o=- 1000 1000 IN IP6 2001:db8::10\r\n/);
  assert.match(text, /c=IN IP6 2001:db8::10\r\n/);
});

test('RFC 8866 §5.2: o= session id comes from the injected source and offers are deterministic', () => {
  const a = new OfferAnswer({ local: { audio: localAudio() }, sessionIdSource: () => 4611686018427387903n });
  const b = new OfferAnswer({ local: { audio: localAudio() }, sessionIdSource: () => 4611686018427387903n });
  const oa = a.createOffer();
  assert.equal(oa.origin.sessionId, '4611686018427387903');
  assert.deepEqual(oa, b.createOffer());
  const c = new OfferAnswer({ local: { audio: localAudio() }, sessionIdSource: () => 7, initialVersion: 1 });
  assert.equal(c.createOffer().origin.sessionVersion, '1');
});

test('RFC 3264 §4: createOffer with an offer outstanding is a programmer error', () => {
  const oa = negotiator();
  oa.createOffer();
  assert.equal(oa.state, 'have-local-offer');
  assert.throws(() => oa.createOffer(), (e: unknown) => e instanceof SdpError && e.code === 'SDP_ERR_STATE');
  assert.throws(() => oa.createAnswer(), SdpError);
});

test('RFC 3551 §3: a payload type assigned twice is a programmer error', () => {
  assert.throws(() => negotiator({ codecs: [{ name: 'opus', clockRate: 48000, payloadType: 101 }] }).createOffer(), SdpError);
});

// --------------------------------------------------------------- answers (RFC 3264 §6)

test('RFC 3264 §6.1: answer lists common codecs in the offerer’s order', () => {
  const { description } = answered(negotiator(), remoteOffer(['m=audio 30000 RTP/AVP 8 0', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:0 PCMU/8000']));
  assert.equal(mLine(description), 'm=audio 40000 RTP/AVP 8 0');
});

test('RFC 3264 §6.1: the answer leaves out codecs we do not support', () => {
  const { description, media } = answered(negotiator(), remoteOffer(['m=audio 30000 RTP/AVP 18 3 0', 'a=rtpmap:18 G729/8000']));
  assert.equal(mLine(description), 'm=audio 40000 RTP/AVP 0');
  assert.equal(media[0]?.sendCodec?.name, 'PCMU');
});

test('RFC 3264 §6.1: dynamic payload types match by name/clock/channels and keep the offerer’s numbers', () => {
  const oa = negotiator({ codecs: [{ name: 'opus', clockRate: 48000, channels: 2 }, { name: 'PCMU', clockRate: 8000 }] });
  const { description, media } = answered(
    oa,
    remoteOffer(['m=audio 30000 RTP/AVP 111 112 0', 'a=rtpmap:111 OPUS/48000/2', 'a=rtpmap:112 opus/48000', 'a=rtpmap:0 PCMU/8000']),
  );
  assert.equal(mLine(description), 'm=audio 40000 RTP/AVP 111 0');
  assert.ok(aLines(description).includes('a=rtpmap:111 OPUS/48000/2'));
  assert.deepEqual(media[0]?.sendCodec, { payloadType: 111, name: 'OPUS', clockRate: 48000, channels: 2 });
  assert.deepEqual(media[0]?.receiveCodecs.map((c) => c.payloadType), [111, 0]);
});

test('RFC 4733 §7.1.1: telephone-event is negotiated separately, with the offerer’s PT and the common events', () => {
  const { description, media } = answered(
    negotiator(),
    remoteOffer(['m=audio 30000 RTP/AVP 0 102', 'a=rtpmap:102 telephone-event/8000', 'a=fmtp:102 0-11']),
  );
  assert.equal(mLine(description), 'm=audio 40000 RTP/AVP 0 102');
  assert.ok(aLines(description).includes('a=fmtp:102 0-11'));
  assert.deepEqual(media[0]?.telephoneEvent, { payloadType: 102, receivePayloadType: 102, clockRate: 8000, events: '0-11' });
});

test('RFC 4733 §7.1.1: telephone-event at a clock we do not use is left out', () => {
  const { description, media } = answered(negotiator(), remoteOffer(['m=audio 30000 RTP/AVP 0 101', 'a=rtpmap:101 telephone-event/48000']));
  assert.equal(mLine(description), 'm=audio 40000 RTP/AVP 0');
  assert.equal(media[0]?.telephoneEvent, undefined);
});

test('RFC 3389 §5: CN is answered when both list it, and never chosen as the send codec', () => {
  const oa = negotiator({ codecs: [{ name: 'PCMU', clockRate: 8000 }, { name: 'CN', clockRate: 8000 }] });
  const { description, media } = answered(oa, remoteOffer(['m=audio 30000 RTP/AVP 13 0']));
  assert.equal(mLine(description), 'm=audio 40000 RTP/AVP 13 0');
  assert.equal(media[0]?.sendCodec?.name, 'PCMU');
  assert.deepEqual(media[0]?.comfortNoise, { payloadType: 13, receivePayloadType: 13 });
});

for (const [offer, answer] of [
  ['sendonly', 'recvonly'],
  ['recvonly', 'sendonly'],
  ['sendrecv', 'sendrecv'],
  ['inactive', 'inactive'],
] as const) {
  test(`RFC 3264 §6.1: a ${offer} stream is answered ${answer}`, () => {
    const { description, media } = answered(negotiator(), remoteOffer(['m=audio 30000 RTP/AVP 0', `a=${offer}`]));
    assert.equal(directionOf(description.media[0]!, description), answer);
    assert.equal(media[0]?.direction, answer);
  });
}

test('RFC 3264 §6.1: a session-level direction in the offer applies to its streams', () => {
  const { description } = answered(negotiator(), remoteOffer(['m=audio 30000 RTP/AVP 0'], ['c=IN IP4 198.51.100.20', 'a=sendonly']));
  assert.equal(directionOf(description.media[0]!, description), 'recvonly');
});

test('RFC 3264 §8.4: on local hold, a sendrecv offer is answered sendonly and a sendonly offer inactive', () => {
  const a = negotiator();
  a.hold();
  assert.equal(directionOf(answered(a, remoteOffer(['m=audio 30000 RTP/AVP 0'])).description.media[0]!), 'sendonly');
  const b = negotiator();
  b.hold();
  assert.equal(directionOf(answered(b, remoteOffer(['m=audio 30000 RTP/AVP 0', 'a=sendonly'])).description.media[0]!), 'inactive');
});

test('RFC 3264 §6: a video m= line is rejected with port 0, keeping the m= line count and order', () => {
  const { description, media } = answered(
    negotiator(),
    remoteOffer(['m=video 30002 RTP/AVP 31', 'a=rtpmap:31 H261/90000', 'm=audio 30000 RTP/AVP 0', 'm=application 5000 UDP/BFCP *']),
  );
  assert.deepEqual(
    description.media.map((m) => `${m.media} ${m.port} ${m.formats.join(' ')}`),
    ['video 0 31', 'audio 40000 0', 'application 0 *'],
  );
  assert.deepEqual(aLines(description, 0), []);
  assert.deepEqual(media.map((m) => m.rejected), [true, false, true]);
});

test('RFC 3264 §6: an audio stream with no common codec is rejected while another is accepted', () => {
  const { description, media } = answered(negotiator(), remoteOffer(['m=audio 30000 RTP/AVP 18', 'm=audio 30002 RTP/AVP 8']));
  assert.deepEqual(description.media.map((m) => m.port), [0, 40000]);
  assert.equal(media[1]?.sendCodec?.name, 'PCMA');
  assert.equal(media[0]?.rejected, true);
});

test('RFC 3264 §6: only one audio stream is taken; further ones are rejected', () => {
  const { description } = answered(negotiator(), remoteOffer(['m=audio 30000 RTP/AVP 0', 'm=audio 30002 RTP/AVP 0']));
  assert.deepEqual(description.media.map((m) => m.port), [40000, 0]);
});

test('RFC 3264 §6: an offer with nothing we can take is refused (488) and the state stays stable', () => {
  const oa = negotiator();
  const r = oa.receiveOffer(remoteOffer(['m=audio 30000 RTP/AVP 18', 'm=video 30002 RTP/AVP 31']));
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, 'no-common-media');
  assert.equal(oa.state, 'stable');
});

test('RFC 3264 §6: a disabled (port 0) audio stream in the offer is not taken', () => {
  const r = negotiator().receiveOffer(remoteOffer(['m=audio 0 RTP/AVP 0']));
  assert.equal(!r.ok && r.error.code, 'no-common-media');
});

test('RFC 3264 §6: an audio stream with another proto (RTP/SAVP) is rejected', () => {
  const { description } = answered(negotiator(), remoteOffer(['m=audio 30000 RTP/SAVP 0', 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x', 'm=audio 30002 RTP/AVP 0']));
  assert.deepEqual(description.media.map((m) => `${m.port} ${m.proto}`), ['0 RTP/SAVP', '40000 RTP/AVP']);
});

test('RFC 8866 §5.7: the remote address comes from a media-level c= when there is no session-level one', () => {
  const offer = remoteOffer(['m=audio 30000 RTP/AVP 0', 'c=IN IP4 198.51.100.99'], []);
  const { media } = answered(negotiator(), offer);
  assert.deepEqual(media[0]?.remote, { address: '198.51.100.99', rtpPort: 30000, rtcpPort: 30001, rtcpAddress: '198.51.100.99' });
  assert.deepEqual(media[0]?.local, { address: '192.0.2.10', rtpPort: 40000, rtcpPort: 40001, rtcpAddress: '192.0.2.10' });
});

test('RFC 8866 §5.7: an offered stream with no c= at any level is refused', () => {
  const r = negotiator().receiveOffer(remoteOffer(['m=audio 30000 RTP/AVP 0'], []));
  assert.equal(!r.ok && r.error.code, 'missing-connection');
});

test('RFC 3605 §2.1: the remote a=rtcp gives the RTCP port and address', () => {
  const { media } = answered(negotiator(), remoteOffer(['m=audio 30000 RTP/AVP 0', 'a=rtcp:30011 IN IP4 198.51.100.77']));
  assert.deepEqual(media[0]?.remote, { address: '198.51.100.20', rtpPort: 30000, rtcpPort: 30011, rtcpAddress: '198.51.100.77' });
  const portOnly = answered(negotiator(), remoteOffer(['m=audio 30000 RTP/AVP 0', 'a=rtcp:30011']));
  assert.equal(portOnly.media[0]?.remote.rtcpPort, 30011);
  assert.equal(portOnly.media[0]?.remote.rtcpAddress, '198.51.100.20');
});

test('RFC 5761 §5.1.1: rtcp-mux is accepted when offered and supported; RTCP then shares the RTP port', () => {
  const { description, media } = answered(negotiator({ rtcpMux: true }), remoteOffer(['m=audio 30000 RTP/AVP 0', 'a=rtcp-mux']));
  assert.ok(aLines(description).includes('a=rtcp-mux'));
  assert.equal(media[0]?.rtcpMux, true);
  assert.equal(media[0]?.remote.rtcpPort, 30000);
  assert.equal(media[0]?.local.rtcpPort, 40000);
});

test('RFC 5761 §5.1.1: rtcp-mux is not answered when we do not support it, nor when it was not offered', () => {
  const notSupported = answered(negotiator(), remoteOffer(['m=audio 30000 RTP/AVP 0', 'a=rtcp-mux']));
  assert.ok(!aLines(notSupported.description).includes('a=rtcp-mux'));
  assert.equal(notSupported.media[0]?.rtcpMux, false);
  assert.equal(notSupported.media[0]?.remote.rtcpPort, 30001);
  const notOffered = answered(negotiator({ rtcpMux: true }), remoteOffer(['m=audio 30000 RTP/AVP 0']));
  assert.ok(!aLines(notOffered.description).includes('a=rtcp-mux'));
});

test('RFC 5888 §9.1: the answer repeats the offer’s mid on each m= line', () => {
  const { description, media } = answered(negotiator(), remoteOffer(['m=audio 30000 RTP/AVP 0', 'a=mid:1', 'm=video 30002 RTP/AVP 31', 'a=mid:2']));
  assert.equal(aLines(description, 0)[0], 'a=mid:1');
  assert.deepEqual(aLines(description, 1), ['a=mid:2']);
  assert.equal(media[0]?.mid, '1');
});

test('RFC 3264 §6.1: the offerer’s ptime is what we send with; our ptime goes in the answer', () => {
  const { description, media } = answered(negotiator({ ptime: 30 }), remoteOffer(['m=audio 30000 RTP/AVP 0', 'a=ptime:40', 'a=maxptime:60']));
  assert.ok(aLines(description).includes('a=ptime:30'));
  assert.equal(media[0]?.ptime, 40);
  assert.equal(media[0]?.maxptime, 60);
  const dflt = answered(negotiator(), remoteOffer(['m=audio 30000 RTP/AVP 0']));
  assert.equal(dflt.media[0]?.ptime, 20);
});

test('RFC 3264 §8.4: an offer with c=0.0.0.0 (RFC 2543 hold) means we do not send', () => {
  const { description, media } = answered(negotiator(), remoteOffer(['m=audio 30000 RTP/AVP 0'], ['c=IN IP4 0.0.0.0']));
  assert.equal(directionOf(description.media[0]!), 'sendrecv');
  assert.equal(media[0]?.direction, 'recvonly');
});

test('RFC 3264 §6: crypto and ICE attributes of the offer are handed on verbatim', () => {
  const { media } = answered(negotiator(), remoteOffer(['m=audio 30000 RTP/AVP 0', 'a=ice-ufrag:abcd', 'a=x-foo']));
  assert.deepEqual(media[0]?.remoteAttributes, [
    { kind: 'other', name: 'ice-ufrag', value: 'abcd' },
    { kind: 'other', name: 'x-foo' },
  ]);
});

test('RFC 8866 §5: an unparseable offer is an invalid-sdp error naming the line, state unchanged', () => {
  const oa = negotiator();
  const r = oa.receiveOffer('v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio nope RTP/AVP 0\r\n');
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, 'invalid-sdp');
  assert.equal(!r.ok && r.error.line, 5);
  assert.equal(oa.state, 'stable');
});

test('RFC 3264 §4 / RFC 3261 §14.2: an offer while ours is outstanding is glare', () => {
  const oa = negotiator();
  oa.createOffer();
  const r = oa.receiveOffer(remoteOffer(['m=audio 30000 RTP/AVP 0']));
  assert.equal(!r.ok && r.error.code, 'glare');
  assert.equal(oa.state, 'have-local-offer');
});

test('RFC 3261 §14.2: a second offer before the first is answered is refused (500), the first stays', () => {
  const oa = negotiator();
  assert.ok(oa.receiveOffer(remoteOffer(['m=audio 30000 RTP/AVP 0'])).ok);
  const r = oa.receiveOffer(remoteOffer(['m=audio 30000 RTP/AVP 8']));
  assert.equal(!r.ok && r.error.code, 'offer-pending');
  assert.equal(mLine(oa.createAnswer().description), 'm=audio 40000 RTP/AVP 0');
});

test('RFC 3264 §4: receiveOffer moves to have-remote-offer and createAnswer back to stable', () => {
  const oa = negotiator();
  const r = oa.receiveOffer(new TextEncoder().encode(remoteOffer(['m=audio 30000 RTP/AVP 0'])));
  assert.deepEqual(r, { ok: true, value: { unchanged: false, acceptedIndex: 0 } });
  assert.equal(oa.state, 'have-remote-offer');
  assert.throws(() => oa.createOffer(), SdpError);
  oa.createAnswer();
  assert.equal(oa.state, 'stable');
  assert.equal(oa.negotiated?.[0]?.sendCodec?.name, 'PCMU');
});

test('RFC 3264 §8: a remote re-offer with the same o= version is reported unchanged', () => {
  const oa = negotiator();
  const offer = remoteOffer(['m=audio 30000 RTP/AVP 0']);
  answered(oa, offer);
  const r = oa.receiveOffer(offer);
  assert.equal(r.ok && r.value.unchanged, true);
});

// ---------------------------------------------------- the remote answer (RFC 3264 §7)

test('RFC 3264 §7: the answer gives the remote address, the send codec (first common) and its PT', () => {
  const oa = negotiator();
  oa.createOffer();
  const media = answerOk(oa, remoteAnswer(['m=audio 50000 RTP/AVP 8 0 101', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-15', 'a=ptime:30']));
  assert.equal(oa.state, 'stable');
  const m = media[0]!;
  assert.equal(m.rejected, false);
  assert.deepEqual(m.sendCodec, { payloadType: 8, name: 'PCMA', clockRate: 8000, channels: 1 });
  assert.deepEqual(m.codecs.map((c) => c.name), ['PCMA', 'PCMU']);
  assert.deepEqual(m.receiveCodecs.map((c) => c.name), ['PCMU', 'PCMA']);
  assert.deepEqual(m.telephoneEvent, { payloadType: 101, receivePayloadType: 101, clockRate: 8000, events: '0-15' });
  assert.equal(m.ptime, 30);
  assert.equal(m.direction, 'sendrecv');
  assert.deepEqual(m.remote, { address: '198.51.100.30', rtpPort: 50000, rtcpPort: 50001, rtcpAddress: '198.51.100.30' });
});

test('RFC 3264 §6.1: an answer that renumbers a dynamic codec: we send its number and receive ours', () => {
  const oa = negotiator({ codecs: [{ name: 'opus', clockRate: 48000, channels: 2 }] });
  oa.createOffer();
  const media = answerOk(oa, remoteAnswer(['m=audio 50000 RTP/AVP 120 100', 'a=rtpmap:120 opus/48000/2', 'a=rtpmap:100 telephone-event/8000']));
  assert.equal(media[0]?.sendCodec?.payloadType, 120);
  assert.equal(media[0]?.receiveCodecs[0]?.payloadType, 96);
  assert.equal(media[0]?.telephoneEvent?.payloadType, 100);
  assert.equal(media[0]?.telephoneEvent?.receivePayloadType, 101);
});

test('RFC 8866 §6.6: an answer that omits the rtpmap of a dynamic number we offered is read with ours', () => {
  const oa = negotiator();
  oa.createOffer();
  const media = answerOk(oa, remoteAnswer(['m=audio 50000 RTP/AVP 0 101']));
  assert.equal(media[0]?.telephoneEvent?.payloadType, 101);
});

test('RFC 3264 §6: an answer with another number of m= lines is rejected; the offer stays outstanding', () => {
  const oa = negotiator();
  oa.createOffer();
  const r = oa.receiveAnswer(remoteAnswer(['m=audio 50000 RTP/AVP 0', 'm=video 0 RTP/AVP 31']));
  assert.equal(!r.ok && r.error.code, 'm-line-count');
  assert.equal(oa.state, 'have-local-offer');
});

test('RFC 3264 §6.1: an answer listing a codec we did not offer is rejected', () => {
  const oa = negotiator();
  oa.createOffer();
  const r = oa.receiveAnswer(remoteAnswer(['m=audio 50000 RTP/AVP 18']));
  assert.equal(!r.ok && r.error.code, 'codec-not-offered');
  assert.match(!r.ok ? r.error.message : '', /G729/);
  const r2 = oa.receiveAnswer(remoteAnswer(['m=audio 50000 RTP/AVP 97']));
  assert.equal(!r2.ok && r2.error.code, 'codec-not-offered');
});

test('RFC 3264 §6: an answer of another media type at a position is rejected', () => {
  const oa = negotiator();
  oa.createOffer();
  const r = oa.receiveAnswer(remoteAnswer(['m=video 50000 RTP/AVP 0']));
  assert.equal(!r.ok && r.error.code, 'media-mismatch');
});

test('RFC 3264 §6: an accepted stream with only telephone-event is no usable answer', () => {
  const oa = negotiator();
  oa.createOffer();
  const r = oa.receiveAnswer(remoteAnswer(['m=audio 50000 RTP/AVP 101', 'a=rtpmap:101 telephone-event/8000']));
  assert.equal(!r.ok && r.error.code, 'no-common-codec');
});

test('RFC 8866 §5.7: an answer accepting a stream without any c= is rejected', () => {
  const oa = negotiator();
  oa.createOffer();
  const r = oa.receiveAnswer(remoteAnswer(['m=audio 50000 RTP/AVP 0'], []));
  assert.equal(!r.ok && r.error.code, 'missing-connection');
});

test('RFC 3264 §6: an answer rejecting our stream (port 0) completes with the stream rejected', () => {
  const oa = negotiator();
  oa.createOffer();
  const media = answerOk(oa, remoteAnswer(['m=audio 0 RTP/AVP 0']));
  assert.equal(media[0]?.rejected, true);
  assert.equal(media[0]?.direction, 'inactive');
  assert.equal(oa.state, 'stable');
});

test('RFC 3264 §4: an answer with no offer outstanding is an error, not an exception', () => {
  const r = negotiator().receiveAnswer(remoteAnswer(['m=audio 50000 RTP/AVP 0']));
  assert.equal(!r.ok && r.error.code, 'unexpected-answer');
});

test('RFC 3264 §6.1: a recvonly answer to our sendrecv offer lets us only send', () => {
  const oa = negotiator();
  oa.createOffer();
  assert.equal(answerOk(oa, remoteAnswer(['m=audio 50000 RTP/AVP 0', 'a=recvonly']))[0]?.direction, 'sendonly');
});

test('RFC 5761 §5.1.1: rtcp-mux is used when we offered it and the answer accepts it', () => {
  const oa = negotiator({ rtcpMux: true });
  oa.createOffer();
  const m = answerOk(oa, remoteAnswer(['m=audio 50000 RTP/AVP 0', 'a=rtcp-mux']))[0]!;
  assert.equal(m.rtcpMux, true);
  assert.equal(m.remote.rtcpPort, 50000);
  const plain = negotiator();
  plain.createOffer();
  assert.equal(answerOk(plain, remoteAnswer(['m=audio 50000 RTP/AVP 0', 'a=rtcp-mux']))[0]?.rtcpMux, false);
});

test('RFC 3262 / RFC 3261 §13.3.1: a provisional answer gives early media and keeps the offer outstanding', () => {
  const oa = negotiator();
  oa.createOffer();
  const early = oa.receiveAnswer(remoteAnswer(['m=audio 50000 RTP/AVP 0']), { provisional: true });
  assert.ok(early.ok);
  assert.equal(oa.state, 'have-local-offer');
  const before = oa.negotiated;
  assert.equal(before, undefined);
  answerOk(oa, remoteAnswer(['m=audio 50002 RTP/AVP 8']));
  assert.equal(oa.negotiated?.[0]?.remote.rtpPort, 50002);
});

test('RFC 3261 §13.2.2.4: a fork answers independently from the original', () => {
  const oa = negotiator();
  oa.createOffer();
  const other = oa.fork();
  answerOk(oa, remoteAnswer(['m=audio 50000 RTP/AVP 0']));
  assert.equal(other.state, 'have-local-offer');
  const m = other.receiveAnswer(remoteAnswer(['m=audio 50010 RTP/AVP 8']));
  assert.ok(m.ok);
  assert.equal(oa.negotiated?.[0]?.sendCodec?.name, 'PCMU');
  assert.equal(other.negotiated?.[0]?.sendCodec?.name, 'PCMA');
  assert.equal(other.sessionId, oa.sessionId);
});

test('RFC 3264 §4: rollback abandons the offer and keeps the previous exchange in force', () => {
  const oa = negotiator();
  oa.createOffer();
  answerOk(oa, remoteAnswer(['m=audio 50000 RTP/AVP 0']));
  oa.updateLocal({ port: 40100 });
  const reoffer = oa.createOffer();
  oa.rollback();
  assert.equal(oa.state, 'stable');
  assert.equal(oa.negotiated?.[0]?.local.rtpPort, 40000);
  oa.updateLocal({ port: 40200 });
  const next = oa.createOffer();
  assert.ok(BigInt(next.origin.sessionVersion) > BigInt(reoffer.origin.sessionVersion), 'a version is never reused');
});

