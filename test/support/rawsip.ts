// A deliberately tiny SIP client for the harness's own tests: it writes requests as text,
// reads responses, and computes an RFC 2617/7616 MD5 digest. It lets the harness tests check
// the peers (Kamailio's 401/407/423/404, TLS) without depending on the softphone's own stack,
// which is what the interop tests are for. Not a SIP implementation: no retransmissions, no
// transactions, one request at a time.
import { createHash, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export type RawTransport = 'udp' | 'tcp' | 'tls';

export interface RawResponse {
  status: number;
  reason: string;
  /** Header values by lower-case name (compact forms are not expanded). */
  headers: Map<string, string[]>;
  raw: string;
  header(name: string): string | undefined;
}

export function parseResponse(raw: string): RawResponse {
  const [head = ''] = raw.split('\r\n\r\n');
  const lines = head.split('\r\n');
  const m = (lines[0] ?? '').match(/^SIP\/2\.0 (\d{3}) ?(.*)$/);
  if (!m) throw new Error(`not a SIP response: ${lines[0]}`);
  const headers = new Map<string, string[]>();
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const list = headers.get(name) ?? [];
    list.push(line.slice(i + 1).trim());
    headers.set(name, list);
  }
  return { status: Number(m[1]), reason: m[2] ?? '', headers, raw, header: (n) => headers.get(n.toLowerCase())?.[0] };
}

function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

function param(challenge: string, name: string): string | undefined {
  const m = challenge.match(new RegExp(`${name}\\s*=\\s*(?:"([^"]*)"|([^,\\s]+))`, 'i'));
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The Authorization/Proxy-Authorization value answering a Digest MD5 challenge (qop=auth if offered). */
export function digestAuthorization(o: { challenge: string; method: string; uri: string; user: string; password: string }): string {
  const realm = param(o.challenge, 'realm') ?? '';
  const nonce = param(o.challenge, 'nonce') ?? '';
  const opaque = param(o.challenge, 'opaque');
  const qopOffer = param(o.challenge, 'qop');
  const ha1 = md5(`${o.user}:${realm}:${o.password}`);
  const ha2 = md5(`${o.method}:${o.uri}`);
  let v = `Digest username="${o.user}", realm="${realm}", nonce="${nonce}", uri="${o.uri}", algorithm=MD5`;
  if (qopOffer && qopOffer.split(',').map((s) => s.trim()).includes('auth')) {
    const cnonce = randomBytes(8).toString('hex');
    const nc = '00000001';
    v += `, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`)}"`;
  } else {
    v += `, response="${md5(`${ha1}:${nonce}:${ha2}`)}"`;
  }
  if (opaque !== undefined) v += `, opaque="${opaque}"`;
  return v;
}

export interface RawClientOptions {
  transport?: RawTransport;
  host: string;
  port: number;
  /** PEM file of the CA to trust for TLS. */
  caPath?: string;
  /** TLS server name (SNI and certificate check), default the host. */
  servername?: string;
}

/** One local socket (UDP) or connection (TCP/TLS) to a SIP server. */
export class RawSipClient {
  readonly transport: RawTransport;
  localPort = 0;
  private udp?: UdpSocket;
  private stream?: Socket;
  private buffer = '';
  private waiters: Array<(msg: string) => void> = [];
  private queue: string[] = [];
  private reqWaiters: Array<(msg: string) => void> = [];
  private requests: string[] = [];
  private closed = false;
  private cseq = 0;
  readonly callId = `${randomBytes(8).toString('hex')}@127.0.0.1`;
  readonly tag = randomBytes(4).toString('hex');

  private constructor(private readonly opts: RawClientOptions) {
    this.transport = opts.transport ?? 'udp';
  }

  static async open(opts: RawClientOptions): Promise<RawSipClient> {
    const c = new RawSipClient(opts);
    await c.init();
    return c;
  }

  private deliver(msg: string): void {
    if (!msg.startsWith('SIP/2.0 ')) {
      const rw = this.reqWaiters.shift();
      if (rw) rw(msg);
      else this.requests.push(msg);
      return;
    }
    const w = this.waiters.shift();
    if (w) w(msg);
    else this.queue.push(msg);
  }

  private async init(): Promise<void> {
    if (this.transport === 'udp') {
      const s = createSocket('udp4');
      this.udp = s;
      s.on('message', (m) => this.deliver(m.toString('utf8')));
      await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
      this.localPort = s.address().port;
      return;
    }
    const sock: Socket = await new Promise((resolve, reject) => {
      const s =
        this.transport === 'tls'
          ? tlsConnect({
              host: this.opts.host,
              port: this.opts.port,
              servername: this.opts.servername ?? (/^[\d.]+$/.test(this.opts.host) ? undefined : this.opts.host),
              ca: this.opts.caPath ? readFileSync(this.opts.caPath) : undefined,
              rejectUnauthorized: true,
            })
          : tcpConnect({ host: this.opts.host, port: this.opts.port });
      s.once(this.transport === 'tls' ? 'secureConnect' : 'connect', () => resolve(s));
      s.once('error', reject);
    });
    this.stream = sock;
    this.localPort = sock.localPort ?? 0;
    sock.on('data', (d: Buffer) => {
      this.buffer += d.toString('utf8');
      for (;;) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = this.buffer.slice(0, end);
        const len = Number(head.match(/^(?:content-length|l)\s*:\s*(\d+)/im)?.[1] ?? 0);
        if (this.buffer.length < end + 4 + len) break;
        const msg = this.buffer.slice(0, end + 4 + len);
        this.buffer = this.buffer.slice(end + 4 + len).replace(/^(\r\n)+/, '');
        this.deliver(msg);
      }
    });
    sock.on('error', () => undefined);
  }

  private send(text: string): void {
    if (this.udp) this.udp.send(text, this.opts.port, this.opts.host);
    else this.stream?.write(text);
  }

  private next(timeoutMs: number): Promise<string> {
    const q = this.queue.shift();
    if (q !== undefined) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no SIP message from ${this.opts.host}:${this.opts.port} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (m: string): void => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push(waiter);
    });
  }

  /**
   * Sends one request (Via/From/To/Call-ID/CSeq/Max-Forwards/Content-Length made here) and
   * resolves with its final response (1xx are skipped), at most `timeoutMs`.
   */
  async request(o: {
    method: string;
    uri: string;
    from: string;
    to: string;
    headers?: string[];
    body?: string;
    timeoutMs?: number;
  }): Promise<RawResponse> {
    this.cseq++;
    const tp = this.transport.toUpperCase();
    const body = o.body ?? '';
    const text =
      `${o.method} ${o.uri} SIP/2.0\r\n` +
      `Via: SIP/2.0/${tp} 127.0.0.1:${this.localPort};branch=z9hG4bK${randomBytes(8).toString('hex')};rport\r\n` +
      `Max-Forwards: 70\r\n` +
      `From: ${o.from};tag=${this.tag}\r\n` +
      `To: ${o.to}\r\n` +
      `Call-ID: ${this.callId}\r\n` +
      `CSeq: ${this.cseq} ${o.method}\r\n` +
      (o.headers ?? []).map((h) => `${h}\r\n`).join('') +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    this.send(text);
    const deadline = Date.now() + (o.timeoutMs ?? 5000);
    for (;;) {
      const msg = await this.next(Math.max(1, deadline - Date.now()));
      const r = parseResponse(msg);
      if (r.header('CSeq') !== `${this.cseq} ${o.method}`) continue; // a late answer to an earlier request
      if (r.status >= 200) return r;
    }
  }

  /**
   * REGISTER `user` with `expires`, answering one digest challenge; resolves with the final
   * response to the last REGISTER sent.
   */
  async register(o: { user: string; password: string; domain: string; expires: number; contactUser?: string; timeoutMs?: number }): Promise<RawResponse> {
    const tp = this.transport;
    const uri = `sip:${o.domain}`;
    const contact = `<sip:${o.contactUser ?? o.user}@127.0.0.1:${this.localPort}${tp === 'udp' ? '' : `;transport=${tp}`}>`;
    const base = {
      method: 'REGISTER',
      uri,
      from: `<sip:${o.user}@${o.domain}>`,
      to: `<sip:${o.user}@${o.domain}>`,
      timeoutMs: o.timeoutMs,
    };
    const headers = [`Contact: ${contact}`, `Expires: ${o.expires}`];
    const first = await this.request({ ...base, headers });
    if (first.status !== 401 && first.status !== 407) return first;
    const challengeName = first.status === 401 ? 'www-authenticate' : 'proxy-authenticate';
    const challenge = first.header(challengeName) ?? '';
    const auth = digestAuthorization({ challenge, method: 'REGISTER', uri, user: o.user, password: o.password });
    return this.request({ ...base, headers: [...headers, `${first.status === 401 ? 'Authorization' : 'Proxy-Authorization'}: ${auth}`] });
  }

  /** The next request sent to this client (text), at most `timeoutMs`. */
  nextRequest(timeoutMs = 5000): Promise<string> {
    const q = this.requests.shift();
    if (q !== undefined) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.reqWaiters = this.reqWaiters.filter((w) => w !== waiter);
        reject(new Error(`no SIP request within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (m: string): void => {
        clearTimeout(timer);
        resolve(m);
      };
      this.reqWaiters.push(waiter);
    });
  }

  /** Answers a request received by nextRequest() with `status` (RFC 3261 §8.2.6 header copying). */
  reply(request: string, status: number, reason: string, extraHeaders: string[] = []): void {
    const head = request.split('\r\n\r\n')[0] ?? '';
    const lines = head.split('\r\n').slice(1);
    const pick = (re: RegExp): string[] => lines.filter((l) => re.test(l));
    const to = pick(/^(to|t)\s*:/i)[0] ?? '';
    const text =
      `SIP/2.0 ${status} ${reason}\r\n` +
      pick(/^(via|v)\s*:/i).map((l) => `${l}\r\n`).join('') +
      pick(/^(record-route)\s*:/i).map((l) => `${l}\r\n`).join('') +
      `${pick(/^(from|f)\s*:/i)[0] ?? ''}\r\n` +
      `${/;\s*tag=/i.test(to) ? to : `${to};tag=${this.tag}`}\r\n` +
      `${pick(/^(call-id|i)\s*:/i)[0] ?? ''}\r\n` +
      `${pick(/^cseq\s*:/i)[0] ?? ''}\r\n` +
      extraHeaders.map((h) => `${h}\r\n`).join('') +
      `Content-Length: 0\r\n\r\n`;
    this.send(text);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.udp?.close();
    this.stream?.destroy();
  }
}
