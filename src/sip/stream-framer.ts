/**
 * Framing of SIP over stream transports (TCP, TLS), sans-IO.
 *
 * A stream has no datagram boundaries, so RFC 3261 §18.3 makes Content-Length carry them:
 * "In the case of stream-oriented transports such as TCP, the Content-Length header field
 * indicates the size of the body. All stream-oriented transports MUST use Content-Length."
 * A message is therefore its header section up to the first CRLFCRLF plus exactly
 * Content-Length bytes of body.
 *
 * Between messages a stream may also carry RFC 5626 §4.4.1 keep-alives: a double CRLF (the
 * "ping") sent by the side that opened the flow, answered by a single CRLF (the "pong").
 * RFC 3261 §7.5 already asks receivers to ignore CRLFs before a start-line.
 *
 * The caller pushes whatever bytes a read returned; `push` hands back every item completed by
 * them. Bytes may be split at any point, and one read may hold several items. A framing error
 * (missing or bad Content-Length, a header section or body over the limit) is final: the
 * stream cannot be resynchronised, and the caller closes the connection.
 *
 *     at boundary ──CR LF──▶ one CRLF ──CR LF──▶ ping (back at boundary)
 *         │                     └── other byte ──▶ pong, then a message starts
 *         └── other byte ──▶ header section ──CRLFCRLF──▶ body (Content-Length) ──▶ message
 */

export type StreamItem =
  | { readonly type: 'message'; readonly bytes: Uint8Array }
  | { readonly type: 'ping' }
  | { readonly type: 'pong' };

export type FramingErrorCode =
  | 'missing-content-length'
  | 'bad-content-length'
  | 'header-too-large'
  | 'body-too-large'
  | 'bad-keep-alive';

export interface FramingError {
  readonly code: FramingErrorCode;
  readonly message: string;
  /** Offset in the stream (bytes since the first push) where the offending item starts. */
  readonly offset: number;
}

export type StreamPushResult =
  | { readonly ok: true; readonly items: StreamItem[] }
  /** `items` holds what was complete before the error; nothing follows it. */
  | { readonly ok: false; readonly items: StreamItem[]; readonly error: FramingError };

export interface StreamFramerOptions {
  /** Largest header section accepted, CRLFCRLF included. Default 65,536 bytes. */
  maxHeaderBytes?: number;
  /** Largest body accepted (Content-Length). Default 1,048,576 bytes. */
  maxBodyBytes?: number;
  /**
   * Report a lone CRLF as a pong as soon as it arrives, even when it is the last byte read
   * so far. Set on flows this side opened and pings (RFC 5626 §4.4.1: the client expects
   * pongs); a ping split between its two CRLFs then reads as a pong followed by a ping,
   * which is harmless. When false (the default, right for accepted flows), a lone CRLF is
   * held until the next byte tells a ping from a stray CRLF, so pings are never split.
   */
  eagerPong?: boolean;
}

const CR = 0x0d;
const LF = 0x0a;
const DEFAULT_MAX_HEADER = 65_536;
const DEFAULT_MAX_BODY = 1_048_576;

type State =
  | { kind: 'boundary' }
  /** One CRLF seen at a boundary; `reported` when it was already reported as a pong. */
  | { kind: 'crlf'; reported: boolean }
  | { kind: 'header'; scanFrom: number }
  | { kind: 'body'; end: number };

export class StreamFramer {
  private readonly maxHeaderBytes: number;
  private readonly maxBodyBytes: number;
  private readonly eagerPong: boolean;
  /** Unconsumed bytes live in buf[pos, len). */
  private buf = new Uint8Array(4096);
  private pos = 0;
  private len = 0;
  /** Stream offset of buf[0]. */
  private base = 0;
  private state: State = { kind: 'boundary' };
  private failed: FramingError | undefined;
  private readonly decoder = new TextDecoder();

  constructor(opts: StreamFramerOptions = {}) {
    this.maxHeaderBytes = opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER;
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
    this.eagerPong = opts.eagerPong ?? false;
  }

  /** Bytes held that do not yet make a complete item. */
  get buffered(): number {
    return this.len - this.pos;
  }

  push(chunk: Uint8Array): StreamPushResult {
    if (this.failed) return { ok: false, items: [], error: this.failed };
    this.append(chunk);
    const items: StreamItem[] = [];
    const error = this.drain(items);
    if (error) {
      this.failed = error;
      this.buf = new Uint8Array(0);
      this.pos = this.len = 0;
      return { ok: false, items, error };
    }
    return { ok: true, items };
  }

  private append(chunk: Uint8Array): void {
    const need = this.len - this.pos + chunk.length;
    if (this.pos > 0 && (this.len + chunk.length > this.buf.length || this.pos === this.len)) {
      // Compact: move the unconsumed tail to the front, shifting every index we keep.
      this.buf.copyWithin(0, this.pos, this.len);
      this.shift(this.pos);
    }
    if (need > this.buf.length) {
      let cap = this.buf.length || 4096;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  }

  private shift(by: number): void {
    this.base += by;
    this.len -= by;
    this.pos -= by;
    if (this.state.kind === 'header') this.state = { kind: 'header', scanFrom: this.state.scanFrom - by };
    else if (this.state.kind === 'body') this.state = { kind: 'body', end: this.state.end - by };
  }

  private drain(items: StreamItem[]): FramingError | undefined {
    for (;;) {
      const st = this.state;
      switch (st.kind) {
        case 'boundary':
        case 'crlf': {
          if (this.pos >= this.len) {
            if (st.kind === 'crlf' && this.eagerPong && !st.reported) {
              items.push({ type: 'pong' });
              this.state = { kind: 'crlf', reported: true };
            }
            return undefined;
          }
          if (this.buf[this.pos] !== CR) {
            // A message starts here; a lone CRLF before it was a pong.
            if (st.kind === 'crlf' && !st.reported) items.push({ type: 'pong' });
            this.state = { kind: 'header', scanFrom: this.pos };
            continue;
          }
          if (this.pos + 1 >= this.len) return undefined; // CR without its LF yet
          if (this.buf[this.pos + 1] !== LF) {
            return this.error('bad-keep-alive', 'CR not followed by LF between messages', this.pos);
          }
          this.pos += 2;
          if (st.kind === 'crlf') {
            items.push({ type: 'ping' });
            this.state = { kind: 'boundary' };
          } else {
            this.state = { kind: 'crlf', reported: false };
          }
          continue;
        }
        case 'header': {
          const end = this.findHeaderEnd(st.scanFrom);
          if (end < 0) {
            if (this.len - this.pos > this.maxHeaderBytes) {
              return this.error('header-too-large', `header section longer than ${this.maxHeaderBytes} bytes`, this.pos);
            }
            this.state = { kind: 'header', scanFrom: Math.max(this.pos, this.len - 3) };
            return undefined;
          }
          const headerLength = end + 4 - this.pos;
          if (headerLength > this.maxHeaderBytes) {
            return this.error('header-too-large', `header section of ${headerLength} bytes, limit ${this.maxHeaderBytes}`, this.pos);
          }
          const text = this.decoder.decode(this.buf.subarray(this.pos, end));
          const cl = contentLengthOf(text);
          if (!cl.ok) return this.error(cl.code, cl.message, this.pos);
          if (cl.value > this.maxBodyBytes) {
            return this.error('body-too-large', `Content-Length ${cl.value} over the limit of ${this.maxBodyBytes} bytes`, this.pos);
          }
          this.state = { kind: 'body', end: end + 4 + cl.value };
          continue;
        }
        case 'body': {
          if (this.len < st.end) return undefined;
          items.push({ type: 'message', bytes: this.buf.slice(this.pos, st.end) });
          this.pos = st.end;
          this.state = { kind: 'boundary' };
          continue;
        }
      }
    }
  }

  /** Index of the CR of the first CRLFCRLF at or after `from`, or -1. */
  private findHeaderEnd(from: number): number {
    const b = this.buf;
    for (let i = Math.max(from, this.pos); i + 3 < this.len; i++) {
      if (b[i + 3] !== LF) continue; // cheap skip on the least likely byte position
      if (b[i] === CR && b[i + 1] === LF && b[i + 2] === CR) return i;
    }
    return -1;
  }

  private error(code: FramingErrorCode, message: string, at: number): FramingError {
    return { code, message, offset: this.base + at };
  }
}

type ContentLengthResult =
  | { ok: true; value: number }
  | { ok: false; code: 'missing-content-length' | 'bad-content-length'; message: string };

/**
 * The Content-Length of a header section (start-line included, final CRLFCRLF excluded).
 * Names match in any case and in the compact form `l` (RFC 3261 §7.3.3); whitespace before
 * the colon and folded continuation lines are allowed (§7.3.1). Repeated Content-Length
 * headers must agree.
 */
export function contentLengthOf(headerSection: string): ContentLengthResult {
  // Unfold: a line starting with SP or HTAB continues the previous one.
  const lines = headerSection.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
  let found: number | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== 'content-length' && name !== 'l') continue;
    const raw = line.slice(colon + 1).trim();
    if (!/^[0-9]{1,10}$/.test(raw)) {
      return { ok: false, code: 'bad-content-length', message: `bad Content-Length value "${raw}"` };
    }
    const value = Number(raw);
    if (found !== undefined && found !== value) {
      return { ok: false, code: 'bad-content-length', message: `conflicting Content-Length values ${found} and ${value}` };
    }
    found = value;
  }
  if (found === undefined) {
    return { ok: false, code: 'missing-content-length', message: 'no Content-Length on a stream transport (RFC 3261 §18.3)' };
  }
  return { ok: true, value: found };
}
