/**
 * The API on a real socket: the app (app.ts) served by node:http on 127.0.0.1, and the
 * event WebSocket (`/api/events`) served by `ws` on the same port, behind the same guard.
 * Each WebSocket first gets `{type:'state'}`, then every engine event in the one encoding of
 * phone/engine-events.ts. `/api/audio` carries a call's audio to and from the page
 * (audio-bridge.ts).
 */
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { CommandRegistry } from '../phone/commands.js';
import type { PhoneEngine } from '../phone/engine.js';
import type { EngineEvent, EngineEventType } from '../phone/engine-events.js';
import { ENGINE_EVENT_TYPES, encodeEvent } from '../phone/engine-events.js';
import type { ApiApp } from './app.js';
import { createApiApp } from './app.js';
import { audioRequestOf, checkAudioRequest, serveAudioSocket } from './audio-bridge.js';
import { guard } from './security.js';

export interface ApiServerOptions {
  engine: PhoneEngine;
  token: string;
  /** Default 127.0.0.1. */
  hostname?: string;
  /** Default 8640; 0: any free port. */
  port?: number;
  /** When the port is taken, take a free one instead of failing (default true). */
  fallbackToFreePort?: boolean;
  webDir?: string;
}

export interface ApiServer {
  readonly port: number;
  readonly hostname: string;
  /** http://127.0.0.1:PORT/ */
  readonly url: string;
  /** Stop listening and close every WebSocket (the engine stays open). */
  close(): Promise<void>;
}

/** The largest request body taken (a contacts import of a few thousand vCards fits). */
const MAX_BODY_BYTES = 16 << 20;

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new Error('body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined));
    req.on('error', reject);
  });
}

/** node:http → the app → node:http. */
async function handle(app: ApiApp, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: string | undefined;
  try {
    body = await readBody(req);
  } catch {
    if (!res.headersSent) res.writeHead(413, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' }).end(JSON.stringify({ error: { code: 'too-large', message: `the request body is over ${MAX_BODY_BYTES} bytes` } }));
    return;
  }
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const out = await app({ method: req.method ?? 'GET', url: req.url ?? '/', headers, body });
  const bytes = typeof out.body === 'string' ? Buffer.from(out.body, 'utf8') : out.body;
  res.writeHead(out.status, { ...out.headers, 'Content-Length': String(bytes.byteLength) });
  res.end(bytes);
}

/** Above this much unsent data, a slow client misses `stats` events rather than piling them up. */
const SLOW_CLIENT_BYTES = 1 << 20;

function listen(server: Server, port: number, hostname: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, hostname);
  });
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const hostname = opts.hostname ?? '127.0.0.1';
  let port = 0;
  const config = { token: opts.token, port: () => port };
  const registry = new CommandRegistry(opts.engine);
  const app = createApiApp({ ...config, registry, webDir: opts.webDir });
  const server = createServer((req, res) => {
    handle(app, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  try {
    await listen(server, opts.port ?? 8640, hostname);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || opts.fallbackToFreePort === false) throw err;
    await listen(server, 0, hostname);
  }
  port = (server.address() as AddressInfo).port;

  // `ws` is loaded when the first page connects, not at start: a headless engine never needs
  // it (with https, tls and zlib it is 2-3 MB of resident memory; docs/bench-footprint.md).
  let sockets: Promise<{ events: WebSocketServer; audio: WebSocketServer }> | undefined;
  const loadSockets = () =>
    (sockets ??= import('ws').then(({ WebSocketServer: Wss }) => ({
      events: new Wss({ noServer: true, maxPayload: 64 * 1024 }),
      // Audio sockets: no per-message compression (frames are small and time-critical).
      audio: new Wss({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false }),
    })));
  const clients = new Set<WebSocket>();
  const audioClients = new Set<WebSocket>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const audio = url.pathname === '/api/audio';
    const refused =
      url.pathname !== '/api/events' && !audio
        ? { status: 404, body: { error: { code: 'not-found', message: 'no WebSocket here' } } }
        : (guard(
            {
              path: url.pathname,
              host: req.headers.host,
              origin: req.headers.origin,
              authorization: req.headers.authorization,
              tokenParam: url.searchParams.get('token') ?? undefined,
              websocket: true,
            },
            config,
          ) ?? (audio ? checkAudioRequest(opts.engine, audioRequestOf(url)) : undefined));
    if (refused) {
      const body = JSON.stringify(refused.body);
      const reason = refused.status === 401 ? 'Unauthorized' : refused.status === 403 ? 'Forbidden' : 'Not Found';
      socket.end(`HTTP/1.1 ${refused.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    void loadSockets().then(({ events: wss, audio: audioWss }) => {
      if (socket.destroyed) return;
      if (audio) {
        audioWss.handleUpgrade(req, socket, head, (ws) => {
          audioClients.add(ws);
          ws.on('close', () => audioClients.delete(ws));
          serveAudioSocket(ws, opts.engine, audioRequestOf(url));
        });
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        clients.add(ws);
        ws.on('close', () => clients.delete(ws));
        ws.on('error', () => clients.delete(ws));
        // Clients only listen; anything they send is ignored.
        ws.send(encodeEvent({ type: 'state', data: opts.engine.state() }));
      });
    });
  });

  const offs = ENGINE_EVENT_TYPES.filter((t) => t !== 'state').map((type: EngineEventType) =>
    opts.engine.on(type, (data) => {
      if (clients.size === 0) return;
      const text = encodeEvent({ type, data } as EngineEvent);
      for (const ws of clients) {
        if (ws.readyState !== ws.OPEN) continue;
        if (type === 'stats' && ws.bufferedAmount > SLOW_CLIENT_BYTES) continue;
        ws.send(text);
      }
    }),
  );

  let closing: Promise<void> | undefined;
  return {
    port,
    hostname,
    url: `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}/`,
    close() {
      closing ??= (async () => {
        for (const off of offs) off();
        for (const ws of [...clients, ...audioClients]) ws.close(1001, 'the engine is stopping');
        if (sockets) {
          const { events, audio } = await sockets;
          events.close();
          audio.close();
        }
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections?.();
        });
      })();
      return closing;
    },
  };
}
