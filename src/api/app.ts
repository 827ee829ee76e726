/**
 * The engine's HTTP API as a hono app over the command registry: Request → Response, testable
 * with `app.request` and no socket (STYLE.md §8). The guard (security.ts) runs first on every
 * request; errors become statuses in errors.ts; the routes are the table of routes.ts.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { CommandRegistry } from '../phone/commands.js';
import { errorResponse } from './errors.js';
import { API_ROUTES, describeRoutes, honoPath, pathParams } from './routes.js';
import type { GuardConfig } from './security.js';
import { guard } from './security.js';
import { DEFAULT_WEB_DIR, staticFile } from './static-ui.js';

export interface ApiAppOptions extends GuardConfig {
  registry: CommandRegistry;
  /** The built web UI; default web/dist of this checkout. */
  webDir?: string;
}

const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

async function readInput(c: Context, route: (typeof API_ROUTES)[number]): Promise<Record<string, unknown>> {
  let input: Record<string, unknown> = {};
  if (route.input === 'body') {
    const text = await c.req.text();
    const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SyntaxError('the body must be a JSON object');
    input = parsed as Record<string, unknown>;
  } else if (route.input === 'query') {
    input = { ...c.req.query() };
  }
  for (const p of pathParams(route.path)) input[p] = c.req.param(p);
  return input;
}

export function createApiApp(opts: ApiAppOptions): OpenAPIHono {
  const app = new OpenAPIHono();
  const webDir = opts.webDir ?? DEFAULT_WEB_DIR;

  app.use('*', async (c, next) => {
    const url = new URL(c.req.url);
    const refused = guard(
      {
        path: url.pathname,
        host: c.req.header('host') ?? url.host,
        origin: c.req.header('origin'),
        authorization: c.req.header('authorization'),
        tokenParam: url.searchParams.get('token') ?? undefined,
        websocket: false,
      },
      opts,
    );
    if (refused) return c.json(refused.body, refused.status as 401);
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
  });

  describeRoutes(app.openAPIRegistry);
  for (const route of API_ROUTES) {
    app.on(route.method.toUpperCase(), honoPath(route.path), async (c) => {
      const input = await readInput(c, route);
      const out = await opts.registry.run(route.command, input);
      if (route.produces) return c.body(String(out), 200, { 'Content-Type': route.produces, 'Cache-Control': 'no-store' });
      c.header('Cache-Control', 'no-store');
      return c.json(out as object, route.status ?? 200);
    });
  }

  app.all('/api/*', (c) => c.json({ error: { code: 'not-found', message: `no API route ${c.req.method} ${new URL(c.req.url).pathname}` } }, 404));
  app.get('*', (c) => {
    const f = staticFile(webDir, new URL(c.req.url).pathname);
    return c.body(typeof f.body === 'string' ? f.body : new Uint8Array(f.body), f.status as 200, { 'Content-Type': f.type, 'Cache-Control': f.cache });
  });

  app.onError((err, c) => {
    const { status, body } = errorResponse(err);
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
    return c.json(body, status as 400);
  });
  return app;
}
