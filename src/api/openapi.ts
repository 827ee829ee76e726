/**
 * The API's OpenAPI 3.1 document, generated from the route table and the zod schemas of the
 * command registry (routes.ts). `scripts/openapi.ts` writes it to docs/openapi.json; a test
 * checks that the committed file is up to date. Only the script and the tests load this module
 * (and @hono/zod-openapi): the engine does not build the document at run time.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import * as z from 'zod';
import { COMMANDS } from '../phone/commands.js';
import { API_ROUTES, pathParams } from './routes.js';

export function openApiDocument(): Record<string, unknown> {
  const app = new OpenAPIHono();
  describeRoutes(app.openAPIRegistry);
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'softphone engine API',
      version: '0.1.0',
      description:
        'The local API of the softphone engine, on 127.0.0.1 only. Every /api request needs the token ' +
        '(Authorization: Bearer <token>; the WebSocket may use ?token=). Requests with a foreign Origin or Host get 403. ' +
        'Errors are {error: {code, message, issues?}}.',
    },
    security: [{ bearer: [] }],
  }) as unknown as Record<string, unknown>;
}

/** The document as committed: two-space JSON and a final newline. */
export function openApiJson(): string {
  return JSON.stringify(openApiDocument(), null, 2) + '\n';
}

const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })).optional() }),
});

/** Describe every route (and the WebSocket) in an OpenAPI registry. */
function describeRoutes(registry: OpenAPIHono['openAPIRegistry']): void {
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'The token from the profile directory (api-token), printed in the URL at start.' });
  // Schemas stay inline: registering components calls .openapi() on them, which zod 4
  // schemas created before @hono/zod-openapi was imported do not have.
  for (const r of API_ROUTES) {
    const def = COMMANDS[r.command];
    const params = pathParams(r.path);
    const input = def.input as unknown as z.ZodObject;
    const omit = Object.fromEntries(params.map((p) => [p, true as const])) as Record<string, true> & Record<number, never>;
    const rest = params.length ? input.omit(omit) : input;
    const request: Record<string, unknown> = {};
    if (params.length) request.params = input.pick(omit);
    if (r.input === 'body') request.body = { required: true, content: { 'application/json': { schema: rest } } };
    if (r.input === 'query') request.query = rest;
    const errors = (codes: number[]) => Object.fromEntries(codes.map((s) => [s, { description: describeStatus(s), content: { 'application/json': { schema: ErrorSchema } } }]));
    registry.registerPath({
      method: r.method,
      path: r.path,
      tags: [r.tag],
      operationId: r.command,
      summary: def.summary,
      security: [{ bearer: [] }],
      request,
      responses: {
        [r.status ?? 200]: {
          description: def.summary,
          content: r.produces ? { [r.produces]: { schema: z.string() } } : { 'application/json': { schema: def.output } },
        },
        ...errors([400, 401, 403, 404, 409, 422, 503]),
      },
    });
  }
  registry.registerPath({
    method: 'get',
    path: '/api/events',
    tags: ['events'],
    operationId: 'events',
    summary: 'WebSocket of engine events: JSON {type, data}; the first is {type:"state", data:<GET /api/state>}. Types: state, registration, accounts, call, incoming, dtmf, stats, history, contacts, settings.',
    request: { query: z.object({ token: z.string().describe('the API token (browsers cannot set headers on a WebSocket)') }) },
    responses: { 101: { description: 'Switching Protocols: the event stream' }, ...{ 401: { description: 'no or wrong token' }, 403: { description: 'foreign Origin or Host' } } },
  });
}

function describeStatus(s: number): string {
  switch (s) {
    case 400:
      return 'invalid input (issues name the fields)';
    case 401:
      return 'no token or a wrong token';
    case 403:
      return 'a foreign Origin or Host';
    case 404:
      return 'no such account, call or contact';
    case 409:
      return 'a conflict, or the call is not in a state that allows this';
    case 422:
      return 'well-formed but impossible (a number with no account; the peer refused)';
    default:
      return 'the engine is closing';
  }
}
