/**
 * DTMF in SIP INFO bodies (RFC 6086 carries them; the formats are de facto):
 *
 * - `application/dtmf-relay` (Cisco style): `Signal=5\r\nDuration=160\r\n`, Duration in ms.
 * - `application/dtmf`: the digit alone, e.g. `5` (some senders use `10`/`11` for `*`/`#`).
 *
 * Parsers accept CRLF or LF, any case for keys, spaces around `=`, and unknown lines.
 */
import { fail, MediaError, ok } from './result.js';
import type { MediaResult } from './result.js';

export interface DtmfSignal {
  /** One of `0-9 * # A-D`, uppercase. */
  signal: string;
  /** Tone duration in ms, when the body gives one. */
  durationMs?: number | undefined;
}

export const DTMF_RELAY_CONTENT_TYPE = 'application/dtmf-relay';
export const DTMF_CONTENT_TYPE = 'application/dtmf';

function normaliseSignal(raw: string): string | undefined {
  const s = raw.trim().toUpperCase();
  if (/^[0-9*#A-D]$/.test(s)) return s;
  if (s === '10') return '*';
  if (s === '11') return '#';
  return undefined;
}

export function parseDtmfRelay(body: string): MediaResult<DtmfSignal> {
  let signal: string | undefined;
  let durationMs: number | undefined;
  let offset = 0;
  for (const line of body.split('\n')) {
    const eq = line.indexOf('=');
    if (eq >= 0) {
      const key = line.slice(0, eq).trim().toLowerCase();
      const value = line.slice(eq + 1).trim();
      if (key === 'signal') {
        signal = normaliseSignal(value);
        if (signal === undefined) return fail('dtmf-relay-bad-signal', `not a DTMF signal: ${JSON.stringify(value)}`, offset + eq + 1);
      } else if (key === 'duration') {
        if (!/^\d+$/.test(value)) return fail('dtmf-relay-bad-duration', `not a duration: ${JSON.stringify(value)}`, offset + eq + 1);
        durationMs = Number(value);
      }
    }
    offset += line.length + 1;
  }
  if (signal === undefined) return fail('dtmf-relay-no-signal', 'no Signal= line', 0);
  return ok({ signal, durationMs });
}

export function serializeDtmfRelay(dtmf: DtmfSignal): string {
  const signal = normaliseSignal(dtmf.signal);
  if (signal === undefined) throw new MediaError('dtmf-bad-signal', `not a DTMF signal: ${JSON.stringify(dtmf.signal)}`);
  return `Signal=${signal}\r\n` + (dtmf.durationMs === undefined ? '' : `Duration=${Math.round(dtmf.durationMs)}\r\n`);
}

export function parseDtmfBody(body: string): MediaResult<DtmfSignal> {
  const signal = normaliseSignal(body);
  return signal === undefined ? fail('dtmf-bad-signal', `not a DTMF signal: ${JSON.stringify(body.trim())}`, 0) : ok({ signal });
}

export function serializeDtmfBody(signal: string): string {
  const s = normaliseSignal(signal);
  if (s === undefined) throw new MediaError('dtmf-bad-signal', `not a DTMF signal: ${JSON.stringify(signal)}`);
  return s;
}

/** Parse an INFO body by its Content-Type (parameters ignored); undefined for other types. */
export function parseDtmfInfo(contentType: string, body: string): MediaResult<DtmfSignal> | undefined {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === DTMF_RELAY_CONTENT_TYPE) return parseDtmfRelay(body);
  if (type === DTMF_CONTENT_TYPE) return parseDtmfBody(body);
  return undefined;
}
