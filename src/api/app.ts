/**
 * The engine's HTTP API as a function from a plain request to a plain response over the
 * command registry: testable with no socket (STYLE.md §8), served on node:http by server.ts.
 * The guard (security.ts) runs first on every request; errors become statuses in errors.ts;
 * the routes are the table of routes.ts; other GETs serve the web UI (static-ui.ts).
 *
 * No web framework: the table is small and fixed, and hono on Node brings the Fetch API
 * classes (undici), 3.5 MB of the engine's resident memory (docs/decisions.md, "The API
 * without a framework").
 */
import type { CommandRegistry } from '../phone/commands.js';
import { errorResponse } from './errors.js';
import type { ApiRoute } from './routes.js';
import { API_ROUTES, pathParams } from './routes.js';
import type { GuardConfig } from './security.js';
import { guard } from './security.js';
import { DEFAULT_WEB_DIR, staticFile } from './static-ui.js';

export interface ApiAppOptions extends GuardConfig {
  registry: CommandRegistry;
  /** The built web UI; default web/dist of this checkout. */
  webDir?: string;
}

export interface ApiRequest {
  method: string;
  /** The request target: a path with its query (/api/history?q=x), or an absolute URL. */
  url: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The body as text (JSON for the routes that take one). */
  body?: string;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

export type ApiApp = (req: ApiRequest) => Promise<ApiResponse>;

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const JSON_TYPE = 'application/json; charset=utf-8';

function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { 'Content-Type': JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

interface CompiledRoute {
  route: ApiRoute;
  pattern: RegExp;
  params: string[];
}

/** /api/calls/{id}/answer → ^/api/calls/([^/]+)/answer$ */
function compile(route: ApiRoute): CompiledRoute {
  const params = pathParams(route.path);
  const source = route.path
    .split(/\{\w+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('([^/]+)');
  return { route, pattern: new RegExp(`^${source}$`), params };
}

function readInput(req: ApiRequest, url: URL, match: RegExpExecArray, c: CompiledRoute): Record<string, unknown> {
  let input: Record<string, unknown> = {};
  if (c.route.input === 'body') {
    const text = req.body ?? '';
    const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SyntaxError('the body must be a JSON object');
    input = parsed as Record<string, unknown>;
  } else if (c.route.input === 'query') {
    // The first value of each parameter.
    for (const [k, v] of url.searchParams) if (!(k in input)) input[k] = v;
  }
  c.params.forEach((p, i) => (input[p] = decodeURIComponent(match[i + 1]!)));
  return input;
}

export function createApiApp(opts: ApiAppOptions): ApiApp {
  const webDir = opts.webDir ?? DEFAULT_WEB_DIR;
  const routes = API_ROUTES.map(compile);

  async function route(req: ApiRequest, url: URL): Promise<ApiResponse> {
    const method = req.method.toUpperCase();
    const path = url.pathname;
    if (path === '/api' || path.startsWith('/api/')) {
      let allowed = false;
      for (const c of routes) {
        const m = c.pattern.exec(path);
        if (!m) continue;
        allowed = true;
        if (c.route.method.toUpperCase() !== method) continue;
        const out = await opts.registry.run(c.route.command, readInput(req, url, m, c));
        if (c.route.produces) return { status: 200, headers: { 'Content-Type': c.route.produces, 'Cache-Control': 'no-store' }, body: String(out) };
        return json(c.route.status ?? 200, out, { 'Cache-Control': 'no-store' });
      }
      if (allowed) return json(405, { error: { code: 'method-not-allowed', message: `${method} is not allowed on ${path}` } });
      return json(404, { error: { code: 'not-found', message: `no API route ${method} ${path}` } });
    }
    if (method !== 'GET' && method !== 'HEAD') return json(405, { error: { code: 'method-not-allowed', message: `${method} is not allowed on ${path}` } }, { Allow: 'GET, HEAD' });
    const f = staticFile(webDir, path);
    return { status: f.status, headers: { 'Content-Type': f.type, 'Cache-Control': f.cache }, body: f.body };
  }

  return async (req) => {
    let res: ApiResponse;
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      // An absolute request target names its host (RFC 9112 §3.2.2); a path needs the header.
      const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(req.url);
      const refused = guard(
        {
          path: url.pathname,
          host: req.headers.host ?? (absolute ? url.host : undefined),
          origin: req.headers.origin,
          authorization: req.headers.authorization,
          tokenParam: url.searchParams.get('token') ?? undefined,
          websocket: false,
        },
        opts,
      );
      res = refused ? json(refused.status, refused.body) : await route(req, url);
    } catch (err) {
      const { status, body } = errorResponse(err);
      res = json(status, body);
    }
    Object.assign(res.headers, SECURITY_HEADERS);
    if (req.method.toUpperCase() === 'HEAD') res.body = '';
    return res;
  };
}
