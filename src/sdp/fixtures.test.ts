// Shared fixtures for the sdp tests. Named *.test.ts so the build and the sans-IO lint skip it;
// it declares no tests of its own.
import assert from 'node:assert/strict';
import { OfferAnswer } from './offer-answer.js';
import type { LocalMedia, LocalSession } from './local-media.js';
import { parseSdp } from './parser.js';
import type { MediaDescription, SessionDescription } from './sdp.js';
import { serializeSdp } from './serializer.js';

export const crlf = (...lines: string[]): string => lines.join('\r\n') + '\r\n';

export function localAudio(over: Partial<LocalMedia> = {}): LocalMedia {
  return {
    address: '192.0.2.10',
    port: 40000,
    codecs: [
      { name: 'PCMU', clockRate: 8000 },
      { name: 'PCMA', clockRate: 8000 },
    ],
    ...over,
  };
}

export function negotiator(over: Partial<LocalMedia> = {}, session: Partial<LocalSession> = {}): OfferAnswer {
  return new OfferAnswer({ local: { audio: localAudio(over), ...session }, sessionIdSource: () => '1000' });
}

export function parse(text: string): SessionDescription {
  const r = parseSdp(text);
  if (!r.ok) assert.fail(`parse failed: ${JSON.stringify(r.error)}`);
  return r.value;
}

/** The m= line of a serialised description, e.g. `m=audio 40000 RTP/AVP 0 8 101`. */
export function mLine(sd: SessionDescription, i = 0): string {
  const m = sd.media[i] as MediaDescription;
  return `m=${m.media} ${m.port} ${m.proto} ${m.formats.join(' ')}`.trimEnd();
}

/** The a= lines of one m= section, as text. */
export function aLines(sd: SessionDescription, i = 0): string[] {
  return serializeSdp(sd)
    .split('\r\n')
    .reduce<{ idx: number; out: string[] }>(
      (acc, line) => {
        if (line.startsWith('m=')) acc.idx += 1;
        else if (line.startsWith('a=') && acc.idx === i) acc.out.push(line);
        return acc;
      },
      { idx: -1, out: [] },
    ).out;
}

/** A remote offer with one audio m= section. */
export function remoteOffer(mediaLines: string[], session: string[] = ['c=IN IP4 198.51.100.20']): string {
  return crlf('v=0', 'o=remote 5555 5555 IN IP4 198.51.100.20', 's=-', ...session, 't=0 0', ...mediaLines);
}

export function answered(oa: OfferAnswer, offer: string) {
  const r = oa.receiveOffer(offer);
  if (!r.ok) assert.fail(`receiveOffer failed: ${JSON.stringify(r.error)}`);
  return oa.createAnswer();
}

/** A remote answer to our offer: same session shape, one audio m= section. */
export function remoteAnswer(mediaLines: string[], session: string[] = ['c=IN IP4 198.51.100.30'], version = '7000'): string {
  return crlf('v=0', `o=bob 7000 ${version} IN IP4 198.51.100.30`, 's=-', ...session, 't=0 0', ...mediaLines);
}

export function offered(oa: OfferAnswer): SessionDescription {
  return oa.createOffer();
}

export function answerOk(oa: OfferAnswer, text: string) {
  const r = oa.receiveAnswer(text);
  if (!r.ok) assert.fail(`receiveAnswer failed: ${JSON.stringify(r.error)}`);
  return r.value;
}

