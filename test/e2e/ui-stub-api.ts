// A stand-in for the engine in the web UI's smoke test only: serves a built web/dist and
// answers /api with fixed, in-memory data in the engine's wire forms (numeric ids, dotted
// settings keys, { entries } history pages), plus the event WebSocket. The test drives calls
// and registration by emitting events. The real end-to-end run against the engine and
// Kamailio is a separate test.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';

export const STUB_TOKEN = 'smoke-test-token';

type Json = Record<string, unknown>;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

export interface StubRequest {
  method: string;
  path: string;
  body: unknown;
}

const HOUR = 3_600_000;

export class StubApi {
  readonly requests: StubRequest[] = [];
  accounts: Json[] = [];
  calls: Json[] = [];
  missedCount = 2;
  /** GET /api/settings/system-audio-devices: none at first (the engine finds no sound system). */
  systemAudioDevices: Json = { backend: null, inputs: [], outputs: [], error: 'no PulseAudio server answers' };
  settings: Json = {
    'audio.codecs': ['opus', 'G722', 'PCMU'],
    'audio.inputDevice': null,
    'audio.outputDevice': null,
    'audio.inputLevel': 90,
    'audio.outputLevel': 70,
    'audio.ringtone': 'default',
    'call.dtmfMode': 'rfc4733',
    'call.dnd': false,
    'call.dndAction': 'reject',
    'call.dndForwardTarget': null,
    'call.autoAnswer': false,
    'call.autoAnswerDelayMs': 0,
    'history.retentionDays': 0,
  };
  contacts: Json[] = [
    { id: 1, name: 'Alice Martin', organisation: 'Acme Ltd', email: 'alice@example.com', favourite: true, notes: null, numbers: [{ label: 'work', value: '+1 (555) 010-2000' }, { label: 'sip', value: 'sip:alice@example.com' }], createdAt: 0, updatedAt: 0 },
    { id: 2, name: 'Bob Nguyen', organisation: null, email: null, favourite: false, notes: 'Front desk', numbers: [{ label: 'mobile', value: '+44 7700 900123' }], createdAt: 0, updatedAt: 0 },
    { id: 3, name: 'Zoë Åberg', organisation: 'Müller & Søn', email: null, favourite: false, notes: null, numbers: [{ label: 'main', value: '1002' }], createdAt: 0, updatedAt: 0 },
  ];
  history: Json[];
  #sockets = new Set<WebSocket>();
  #nextAccount = 1;
  #nextCall = 1;
  #nextContact = 10;
  #server = createServer((req, res) => void this.#handle(req, res));
  #wss = new WebSocketServer({ noServer: true });
  url = '';

  constructor(private readonly distDir: string) {
    const now = Date.now();
    const row = (id: number, direction: 'in' | 'out', remoteUri: string, name: string | null, contactName: string | null, agoMs: number, outcome: string, durationMs: number | null, reason: string | null = null): Json => ({
      id, accountId: 1, direction, remoteUri, remoteDisplayName: name, localUri: 'sip:1001@pbx.example.com',
      startedAt: now - agoMs, answeredAt: outcome === 'answered' ? now - agoMs + 4000 : null,
      endedAt: now - agoMs + 4000 + (durationMs ?? 0), durationMs, outcome, reason, codec: outcome === 'answered' ? 'opus/48000' : null,
      callId: `call-${id}`, seen: outcome !== 'missed', contactName,
    });
    this.history = [
      row(6, 'in', 'sip:+15550102000@pbx.example.com', 'ACME', 'Alice Martin', 0.2 * HOUR, 'missed', null),
      row(5, 'out', 'sip:1002@pbx.example.com', null, 'Zoë Åberg', 1.5 * HOUR, 'answered', 754_000),
      row(4, 'out', 'sip:+15551234567@pbx.example.com', null, null, 26 * HOUR, 'failed', null, '404 Not Found'),
      row(3, 'in', 'sip:+447700900123@pbx.example.com', 'Bob', 'Bob Nguyen', 50 * HOUR, 'declined', null),
      row(2, 'in', 'sip:reception@example.org', 'Reception', null, 30 * 24 * HOUR, 'missed', null),
      row(1, 'out', 'sip:echo@pbx.example.com', null, null, 31 * 24 * HOUR, 'answered', 3_723_000),
    ];
    this.#server.on('upgrade', (req, socket, head) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname !== '/api/events' || u.searchParams.get('token') !== STUB_TOKEN) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        this.#sockets.add(ws);
        ws.on('close', () => this.#sockets.delete(ws));
        ws.send(JSON.stringify({ type: 'state', data: this.state() }));
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  state(): Json {
    return { accounts: this.accounts, calls: this.calls, settings: this.settings, missedCount: this.missedCount };
  }

  emit(type: string, data: unknown): void {
    const text = JSON.stringify({ type, data });
    for (const s of this.#sockets) s.send(text);
  }

  /** A call as the engine describes it. */
  makeCall(direction: 'incoming' | 'outgoing', uri: string, more: Json = {}): Json {
    return {
      id: `c${this.#nextCall++}`, accountId: 1, direction, state: direction === 'incoming' ? 'incoming' : 'calling',
      remote: { uri, displayName: null, contactName: null }, startedAt: Date.now(), answeredAt: null, codec: null,
      muted: false, hold: { local: false, remote: false }, historyId: null, ...more,
    };
  }

  /** Adds or replaces a call and sends its event. */
  putCall(call: Json, type: 'call' | 'incoming' = 'call'): void {
    const i = this.calls.findIndex((c) => c.id === call.id);
    if (call.state === 'ended') {
      if (i >= 0) this.calls.splice(i, 1);
    } else if (i >= 0) this.calls[i] = call;
    else this.calls.push(call);
    this.emit(type, call);
  }

  setRegistration(accountId: number, registration: Json): void {
    const a = this.accounts.find((x) => x.id === accountId);
    if (a) a.registration = registration;
    this.emit('registration', { accountId, registration });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://x');
    if (!u.pathname.startsWith('/api/')) return this.#static(u.pathname, res);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text ? JSON.parse(text) : undefined;
    this.requests.push({ method: req.method ?? 'GET', path: u.pathname + u.search, body });
    if (req.headers.authorization !== `Bearer ${STUB_TOKEN}`) return send(res, 401, { error: { code: 'unauthorised', message: 'bad token' } });
    const r = this.#route(req.method ?? 'GET', u, body as Json);
    if (r === undefined) return send(res, 404, { error: { code: 'not-found', message: `no route ${req.method} ${u.pathname}` } });
    if (typeof r === 'string') {
      res.writeHead(200, { 'Content-Type': 'text/vcard; charset=utf-8' });
      res.end(r);
      return;
    }
    send(res, 200, r);
  }

  #route(method: string, u: URL, body: Json): unknown {
    const p = u.pathname;
    const m = (re: RegExp) => re.exec(p);
    let g: RegExpExecArray | null;
    if (method === 'GET' && p === '/api/state') return this.state();
    if (method === 'GET' && p === '/api/accounts') return this.accounts;
    if (method === 'POST' && p === '/api/accounts') {
      const a = { id: this.#nextAccount++, displayName: null, authUser: null, registrar: null, outboundProxy: null, transport: 'udp', enabled: true, ...body, isDefault: this.accounts.length === 0, hasPassword: Boolean(body.password), registration: { state: 'registering' } };
      delete (a as Json).password;
      this.accounts.push(a);
      this.emit('accounts', { accounts: this.accounts });
      return a;
    }
    if ((g = m(/^\/api\/accounts\/(\d+)\/default$/)) && method === 'POST') {
      for (const a of this.accounts) a.isDefault = a.id === Number(g[1]);
      this.emit('accounts', { accounts: this.accounts });
      return this.accounts.find((a) => a.id === Number(g![1]));
    }
    if ((g = m(/^\/api\/accounts\/(\d+)$/))) {
      const a = this.accounts.find((x) => x.id === Number(g![1]));
      if (!a) return undefined;
      if (method === 'PATCH') {
        Object.assign(a, body);
        delete a.password;
        this.emit('accounts', { accounts: this.accounts });
        return a;
      }
      if (method === 'DELETE') {
        this.accounts = this.accounts.filter((x) => x !== a);
        this.emit('accounts', { accounts: this.accounts });
        return { ok: true };
      }
    }
    if (method === 'GET' && p === '/api/calls') return this.calls;
    if (method === 'POST' && p === '/api/calls') {
      const call = this.makeCall('outgoing', String(body.target).startsWith('sip:') ? String(body.target) : `sip:${String(body.target)}@pbx.example.com`);
      this.putCall(call);
      return call;
    }
    if ((g = m(/^\/api\/calls\/([^/]+)\/(\w+)$/)) && method === 'POST') {
      const call = this.calls.find((c) => c.id === g![1]);
      if (!call) return undefined;
      const hold = call.hold as { local: boolean; remote: boolean };
      switch (g[2]) {
        case 'answer':
          for (const other of this.calls) if (other !== call && other.state === 'established') this.putCall({ ...other, hold: { local: true, remote: false } });
          this.putCall({ ...call, state: 'established', answeredAt: Date.now(), codec: 'PCMU/8000' });
          break;
        case 'decline':
        case 'hangup':
          this.putCall({ ...call, state: 'ended', end: { reason: g[2] === 'decline' ? 'Decline' : 'local hang-up', status: g[2] === 'decline' ? 603 : undefined, by: 'local', outcome: g[2] === 'decline' ? 'declined' : 'answered' } });
          break;
        case 'hold':
          this.putCall({ ...call, hold: { ...hold, local: true } });
          break;
        case 'resume':
        case 'switch':
          for (const other of this.calls) if (other !== call && other.state === 'established') this.putCall({ ...other, hold: { local: true, remote: false } });
          this.putCall({ ...call, hold: { ...hold, local: false } });
          break;
        case 'mute':
          this.putCall({ ...call, muted: Boolean(body.on) });
          break;
        case 'dtmf':
        case 'transfer':
          break;
        default:
          return undefined;
      }
      return this.calls.find((c) => c.id === call.id) ?? { ...call, state: 'ended' };
    }
    if (method === 'GET' && p === '/api/history') {
      const q = (u.searchParams.get('q') ?? '').toLowerCase();
      const entries = this.history.filter((h) => !q || JSON.stringify([h.remoteUri, h.remoteDisplayName, h.contactName]).toLowerCase().includes(q));
      return { entries, next: null, missedCount: this.missedCount };
    }
    if (method === 'POST' && p === '/api/history/seen') {
      const changed = this.missedCount;
      this.missedCount = 0;
      this.emit('history', { entry: null, missedCount: 0 });
      return { changed, missedCount: 0 };
    }
    if (method === 'GET' && p === '/api/contacts') {
      const q = (u.searchParams.get('q') ?? '').toLowerCase();
      return this.contacts.filter((c) => !q || JSON.stringify(c).toLowerCase().includes(q));
    }
    if (method === 'POST' && p === '/api/contacts') {
      const c = { id: this.#nextContact++, organisation: null, email: null, favourite: false, notes: null, numbers: [], ...body, createdAt: 0, updatedAt: 0 };
      this.contacts.push(c);
      return c;
    }
    if (method === 'POST' && p === '/api/contacts/import') {
      return { format: body.format ?? 'csv', imported: 2, ids: [20, 21], skipped: [{ line: 4, reason: 'empty', message: 'no name, number or email' }], warnings: [] };
    }
    if (method === 'GET' && p === '/api/contacts/export.vcf') return 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Alice Martin\r\nEND:VCARD\r\n';
    if ((g = m(/^\/api\/contacts\/(\d+)$/))) {
      const c = this.contacts.find((x) => x.id === Number(g![1]));
      if (!c) return undefined;
      if (method === 'PATCH') return Object.assign(c, body);
      if (method === 'DELETE') {
        this.contacts = this.contacts.filter((x) => x !== c);
        return { ok: true };
      }
    }
    if (method === 'GET' && p === '/api/settings') return this.settings;
    if (method === 'GET' && p === '/api/settings/system-audio-devices') return this.systemAudioDevices;
    if (method === 'PATCH' && p === '/api/settings') {
      Object.assign(this.settings, body);
      this.emit('settings', this.settings);
      return this.settings;
    }
    return undefined;
  }

  async #static(path: string, res: ServerResponse): Promise<void> {
    const rel = normalize(decodeURIComponent(path)).replace(/^(\.\.[/\\])+/, '').replace(/^\/+/, '');
    const file = join(this.distDir, rel === '' ? 'index.html' : rel);
    try {
      const data = await readFile(file.startsWith(this.distDir) ? file : join(this.distDir, 'index.html'));
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(data);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
