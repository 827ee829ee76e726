/**
 * SDP parser (RFC 8866 §5, §9). Parsing network input never throws: the result names the
 * offending line (1-based) and quotes it.
 *
 * Deliberately tolerant where real peers are sloppy: LF-only or mixed line endings, blank
 * lines, runs of spaces between fields, session-level lines in an unusual order, rejected
 * m= lines without formats. Deliberately strict where RFC 8866 says to be: a type letter we
 * do not know makes the whole description invalid (§5: "An SDP parser MUST completely ignore
 * any session description that contains a type letter that it does not understand"), and so
 * does a malformed line the stack would have to interpret (o=, c=, m=, rtpmap, rtcp, ptime).
 */
import type {
  Attribute,
  Bandwidth,
  Connection,
  Direction,
  MediaDescription,
  Origin,
  SessionDescription,
  Timing,
} from './sdp.js';
import { DIRECTIONS } from './sdp.js';

export type SdpParseErrorCode =
  | 'empty'
  | 'bad-line'
  | 'unknown-type'
  | 'misplaced-line'
  | 'duplicate-line'
  | 'bad-version'
  | 'bad-origin'
  | 'bad-connection'
  | 'bad-bandwidth'
  | 'bad-timing'
  | 'bad-media'
  | 'bad-attribute'
  | 'missing-line';

export interface SdpParseError {
  code: SdpParseErrorCode;
  message: string;
  /** 1-based line number of the offending line (for a missing line, the last line seen). */
  line: number;
  /** The offending line as received (without its line ending). */
  text: string;
}

export type SdpParseResult = { ok: true; value: SessionDescription } | { ok: false; error: SdpParseError };

class LineError {
  constructor(
    readonly code: SdpParseErrorCode,
    readonly message: string,
  ) {}
}

const SESSION_TYPES = new Set(['v', 'o', 's', 'i', 'u', 'e', 'p', 'c', 'b', 't', 'r', 'z', 'k', 'a', 'm']);
const MEDIA_TYPES = new Set(['i', 'c', 'b', 'k', 'a', 'm']);
const DIGITS = /^\d+$/;

function toInt(text: string | undefined, max: number): number | undefined {
  if (text === undefined || !DIGITS.test(text) || text.length > 10) return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

function fields(value: string): string[] {
  return value.split(/[ \t]+/).filter((f) => f !== '');
}

function parseOrigin(value: string): Origin {
  const f = fields(value);
  if (f.length !== 6) throw new LineError('bad-origin', `o= needs 6 fields (username sess-id sess-version nettype addrtype address), got ${f.length}`);
  const [username, sessionId, sessionVersion, netType, addrType, address] = f as [string, string, string, string, string, string];
  if (!DIGITS.test(sessionId) || !DIGITS.test(sessionVersion)) {
    throw new LineError('bad-origin', 'o= session id and version must be decimal numbers');
  }
  return { username, sessionId, sessionVersion, netType, addrType, address };
}

/** c=<nettype> <addrtype> <connection-address> (RFC 8866 §5.7). */
export function parseConnection(value: string): Connection | undefined {
  const f = fields(value);
  if (f.length !== 3) return undefined;
  const [netType, addrType, full] = f as [string, string, string];
  const conn: Connection = { netType, addrType, address: full };
  const parts = full.split('/');
  if (parts.length === 1 || (addrType !== 'IP4' && addrType !== 'IP6')) return conn;
  conn.address = parts[0] as string;
  if (conn.address === '') return undefined;
  if (addrType === 'IP4') {
    if (parts.length > 3) return undefined;
    const ttl = toInt(parts[1], 255);
    if (ttl === undefined) return undefined;
    conn.ttl = ttl;
    if (parts.length === 3) {
      const n = toInt(parts[2], 0xffffffff);
      if (n === undefined) return undefined;
      conn.numberOfAddresses = n;
    }
  } else {
    if (parts.length > 2) return undefined;
    const n = toInt(parts[1], 0xffffffff);
    if (n === undefined) return undefined;
    conn.numberOfAddresses = n;
  }
  return conn;
}

function parseBandwidth(value: string): Bandwidth {
  const m = /^([A-Za-z0-9_.+-]+):(\d+)$/.exec(value.trim());
  if (!m) throw new LineError('bad-bandwidth', 'b= must be <bwtype>:<bandwidth>');
  const n = toInt(m[2], Number.MAX_SAFE_INTEGER);
  if (n === undefined) throw new LineError('bad-bandwidth', 'b= bandwidth out of range');
  return { type: m[1] as string, value: n };
}

function parseTiming(value: string): Timing {
  const f = fields(value);
  if (f.length !== 2 || !DIGITS.test(f[0] as string) || !DIGITS.test(f[1] as string)) {
    throw new LineError('bad-timing', 't= must be <start-time> <stop-time> in decimal');
  }
  return { start: f[0] as string, stop: f[1] as string, repeats: [] };
}

function parseMedia(value: string): MediaDescription {
  const f = fields(value);
  if (f.length < 3) throw new LineError('bad-media', 'm= needs <media> <port> <proto> <fmt> ...');
  const [media, portText, proto] = f as [string, string, string];
  const [p, count, ...rest] = portText.split('/');
  const port = toInt(p, 65535);
  if (port === undefined || rest.length > 0) throw new LineError('bad-media', `m= port "${portText}" is not a port number`);
  const md: MediaDescription = { media, port, proto, formats: f.slice(3), connections: [], bandwidths: [], attributes: [] };
  if (count !== undefined) {
    const n = toInt(count, 65535);
    if (n === undefined || n === 0) throw new LineError('bad-media', `m= port count "${count}" is not a number`);
    md.portCount = n;
  }
  if (md.formats.length === 0 && port !== 0) {
    throw new LineError('bad-media', 'm= lists no formats');
  }
  return md;
}

/** One a= value (the text after `a=`); throws LineError, caught by parseSdp. */
function parseAttribute(text: string): Attribute {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  const value = colon < 0 ? undefined : text.slice(colon + 1);
  if (name === '' || /[\s]/.test(name)) throw new LineError('bad-attribute', 'a= attribute name is empty or has spaces');
  const lower = name.toLowerCase();
  if (value === undefined) {
    if ((DIRECTIONS as readonly string[]).includes(lower)) return { kind: 'direction', value: lower as Direction };
    if (lower === 'rtcp-mux') return { kind: 'rtcp-mux' };
    return { kind: 'other', name };
  }
  switch (lower) {
    case 'rtpmap': {
      // rtpmap-value = payload-type SP encoding-name "/" clock-rate [ "/" encoding-params ]
      const m = /^\s*(\d{1,3})\s+([^\s/]+)\/(\d+)(?:\/(\d+))?\s*$/.exec(value);
      const pt = m ? toInt(m[1], 127) : undefined;
      const clockRate = m ? toInt(m[3], 0xffffffff) : undefined;
      const channels = m?.[4] !== undefined ? toInt(m[4], 255) : undefined;
      if (!m || pt === undefined || clockRate === undefined || clockRate === 0 || (m[4] !== undefined && !channels)) {
        throw new LineError('bad-attribute', 'a=rtpmap must be <payload type 0-127> <encoding name>/<clock rate>[/<channels>]');
      }
      const attr: Attribute = { kind: 'rtpmap', payloadType: pt, encodingName: m[2] as string, clockRate };
      if (channels !== undefined) attr.channels = channels;
      return attr;
    }
    case 'fmtp': {
      const m = /^(\S+)(?:[ \t]+(.*))?$/.exec(value);
      if (!m) throw new LineError('bad-attribute', 'a=fmtp must be <format> <parameters>');
      return { kind: 'fmtp', format: m[1] as string, parameters: m[2] ?? '' };
    }
    case 'ptime':
    case 'maxptime': {
      const v = value.trim();
      if (!/^\d+(?:\.\d+)?$/.test(v) || Number(v) <= 0) throw new LineError('bad-attribute', `a=${lower} must be a positive number of milliseconds`);
      return { kind: lower, value: Number(v) };
    }
    case 'rtcp': {
      // RFC 3605 §2.1: rtcp-attribute = "a=rtcp:" port [nettype space addrtype space connection-address]
      const f = fields(value);
      const port = toInt(f[0], 65535);
      if (port === undefined || (f.length !== 1 && f.length !== 4)) {
        throw new LineError('bad-attribute', 'a=rtcp must be <port> [<nettype> <addrtype> <address>]');
      }
      if (f.length === 1) return { kind: 'rtcp', port };
      return { kind: 'rtcp', port, netType: f[1] as string, addrType: f[2] as string, address: f[3] as string };
    }
    case 'mid':
      return { kind: 'mid', value };
    default:
      return { kind: 'other', name, value };
  }
}

/** Parse a session description; bytes are decoded as UTF-8 (RFC 8866 §5: the default charset). */
export function parseSdp(input: string | Uint8Array): SdpParseResult {
  const text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input);
  const lines = text.split(/\r?\n/);
  let lineNo = 0;
  let lastLineNo = 0;
  let lastText = '';
  const fail = (code: SdpParseErrorCode, message: string, line = lineNo, t = lines[line - 1] ?? ''): SdpParseResult => ({
    ok: false,
    error: { code, message, line, text: t.replace(/\r$/, '') },
  });

  let version: number | undefined;
  let origin: Origin | undefined;
  let sessionName: string | undefined;
  const sd: Omit<SessionDescription, 'version' | 'origin' | 'sessionName'> = {
    emails: [],
    phones: [],
    bandwidths: [],
    timing: [],
    attributes: [],
    media: [],
  };
  let media: MediaDescription | undefined;

  try {
    for (const raw of lines) {
      lineNo += 1;
      const line = raw.replace(/\r$/, '');
      if (line.trim() === '') continue;
      lastLineNo = lineNo;
      lastText = line;
      if (line.length < 2 || line[1] !== '=') return fail('bad-line', 'an SDP line must be <type>=<value>');
      const type = line[0] as string;
      const value = line.slice(2);
      if (!/^[a-z]$/.test(type) || !SESSION_TYPES.has(type)) return fail('unknown-type', `unknown SDP line type "${type}"`);
      if (version === undefined && type !== 'v') return fail('missing-line', 'an SDP description must start with v=');
      if (media && !MEDIA_TYPES.has(type)) return fail('misplaced-line', `${type}= is not allowed in a media description`);

      const target = media ?? sd;
      switch (type) {
        case 'v':
          if (version !== undefined) return fail('duplicate-line', 'v= appears twice');
          if (value.trim() !== '0') return fail('bad-version', 'only SDP version 0 exists (v=0)');
          version = 0;
          break;
        case 'o':
          if (origin) return fail('duplicate-line', 'o= appears twice');
          origin = parseOrigin(value);
          break;
        case 's':
          if (sessionName !== undefined) return fail('duplicate-line', 's= appears twice');
          sessionName = value;
          break;
        case 'i':
          if (target.information !== undefined) return fail('duplicate-line', 'i= appears twice at one level');
          target.information = value;
          break;
        case 'u':
          if (sd.uri !== undefined) return fail('duplicate-line', 'u= appears twice');
          sd.uri = value;
          break;
        case 'e':
          sd.emails.push(value);
          break;
        case 'p':
          sd.phones.push(value);
          break;
        case 'c': {
          const conn = parseConnection(value);
          if (!conn) return fail('bad-connection', 'c= must be <nettype> <addrtype> <connection-address>');
          if (media) media.connections.push(conn);
          else if (sd.connection) return fail('duplicate-line', 'c= appears twice at session level');
          else sd.connection = conn;
          break;
        }
        case 'b':
          target.bandwidths.push(parseBandwidth(value));
          break;
        case 't':
          sd.timing.push(parseTiming(value));
          break;
        case 'r': {
          const last = sd.timing[sd.timing.length - 1];
          if (!last) return fail('misplaced-line', 'r= must follow a t= line');
          last.repeats.push(value);
          break;
        }
        case 'z':
          if (sd.timeZones !== undefined) return fail('duplicate-line', 'z= appears twice');
          sd.timeZones = value;
          break;
        case 'k':
          if (target.key !== undefined) return fail('duplicate-line', 'k= appears twice at one level');
          target.key = value;
          break;
        case 'a':
          target.attributes.push(parseAttribute(value));
          break;
        case 'm':
          media = parseMedia(value);
          sd.media.push(media);
          break;
      }
    }
  } catch (e) {
    if (e instanceof LineError) return fail(e.code, e.message);
    throw e;
  }

  if (version === undefined) return fail('empty', 'no SDP lines', 0, '');
  if (!origin) return fail('missing-line', 'o= is required (RFC 8866 §5.2)', lastLineNo, lastText);
  if (sessionName === undefined) return fail('missing-line', 's= is required (RFC 8866 §5.3)', lastLineNo, lastText);
  if (sd.timing.length === 0) return fail('missing-line', 't= is required (RFC 8866 §5.9)', lastLineNo, lastText);
  return { ok: true, value: { version, origin, sessionName, ...sd } };
}
