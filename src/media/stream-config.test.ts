import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OfferAnswer } from '../sdp/index.js';
import type { LocalMedia, NegotiatedMedia } from '../sdp/index.js';
import { PCMA_CODEC, PCMU_CODEC } from './codec-registry.js';
import { streamAudioFormat, streamConfigFromNegotiated } from './stream-config.js';

function negotiate(offerer: Partial<LocalMedia>, answerer: Partial<LocalMedia>): { offerSide: NegotiatedMedia; answerSide: NegotiatedMedia } {
  const base = (port: number): LocalMedia => ({ address: '127.0.0.1', port, codecs: [{ name: 'PCMU', clockRate: 8000 }, { name: 'PCMA', clockRate: 8000 }] });
  const a = new OfferAnswer({ local: { audio: { ...base(20000), ...offerer } }, sessionIdSource: () => 1 });
  const b = new OfferAnswer({ local: { audio: { ...base(30000), ...answerer } }, sessionIdSource: () => 2 });
  const offer = a.createOffer();
  assert.ok(b.receiveOffer(offer).ok);
  const answer = b.createAnswer();
  const r = a.receiveAnswer(answer.description);
  assert.ok(r.ok);
  return { offerSide: r.value[0]!, answerSide: answer.media[0]! };
}

test('stream config from offer/answer: send codec and PT, receive codecs, telephone-event, ptime, addresses', () => {
  const { offerSide, answerSide } = negotiate({ ptime: 20 }, { codecs: [{ name: 'PCMA', clockRate: 8000 }, { name: 'PCMU', clockRate: 8000 }], ptime: 30 });
  const c = streamConfigFromNegotiated(offerSide);
  assert.equal(c.sendCodec, PCMU_CODEC, 'the answer keeps the offerer order (RFC 3264 §6.1)');
  assert.equal(c.sendPayloadType, 0);
  assert.deepEqual(c.receiveCodecs.map((r) => r.payloadType), [0, 8]);
  assert.deepEqual(c.telephoneEvent, { payloadType: 101, receivePayloadType: 101, clockRate: 8000 });
  assert.equal(c.ptime, 30, 'we send with the peer’s a=ptime');
  assert.deepEqual(c.remoteRtp, { address: '127.0.0.1', port: 30000 });
  assert.deepEqual(c.remoteRtcp, { address: '127.0.0.1', port: 30001 });
  assert.deepEqual(streamAudioFormat(c), { sampleRate: 8000, frameMs: 30 });
  const d = streamConfigFromNegotiated(answerSide);
  assert.equal(d.sendCodec.name, 'PCMU');
  assert.deepEqual(d.remoteRtp, { address: '127.0.0.1', port: 20000 });
  assert.equal(d.direction, 'sendrecv');
});

test('stream config: no telephone-event when the peer left it out; rtcp-mux sends RTCP to the RTP port', () => {
  const { offerSide } = negotiate({ rtcpMux: true }, { telephoneEvent: false, rtcpMux: true, codecs: [{ name: 'PCMA', clockRate: 8000 }] });
  const c = streamConfigFromNegotiated(offerSide);
  assert.equal(c.telephoneEvent, undefined);
  assert.equal(c.sendCodec, PCMA_CODEC);
  assert.equal(c.rtcpMux, true);
  assert.deepEqual(c.remoteRtcp, c.remoteRtp);
});

test('stream config: a rejected stream or an unknown codec is refused', () => {
  const { offerSide } = negotiate({}, {});
  assert.throws(() => streamConfigFromNegotiated({ ...offerSide, rejected: true }), /rejected/);
  assert.throws(() => streamConfigFromNegotiated({ ...offerSide, sendCodec: { payloadType: 18, name: 'G729', clockRate: 8000, channels: 1 } }), /no codec G729/);
});
