/**
 * The HTTP face of the command registry: each route names a command and where its input comes
 * from (path parameters plus the JSON body or the query). The same table registers the hono
 * handlers (app.ts) and describes them in the OpenAPI document (openapi.ts).
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import type { CommandName } from '../phone/commands.js';
import { COMMANDS } from '../phone/commands.js';

export interface ApiRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI style: /api/calls/{id}/answer */
  path: string;
  command: CommandName;
  /** Where the input (besides path parameters) is read from. */
  input: 'none' | 'body' | 'query';
  status?: 200 | 201;
  /** Not JSON: the content type of the answer (the command returns text). */
  produces?: string;
  tag: string;
}

const call = (verb: string, command: CommandName, input: 'none' | 'body' = 'none'): ApiRoute => ({ method: 'post', path: `/api/calls/{id}/${verb}`, command, input, tag: 'calls' });

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'get', path: '/api/state', command: 'state.get', input: 'none', tag: 'state' },

  { method: 'get', path: '/api/accounts', command: 'accounts.list', input: 'none', tag: 'accounts' },
  { method: 'post', path: '/api/accounts', command: 'accounts.create', input: 'body', status: 201, tag: 'accounts' },
  { method: 'patch', path: '/api/accounts/{id}', command: 'accounts.update', input: 'body', tag: 'accounts' },
  { method: 'delete', path: '/api/accounts/{id}', command: 'accounts.delete', input: 'none', tag: 'accounts' },
  { method: 'post', path: '/api/accounts/{id}/default', command: 'accounts.setDefault', input: 'none', tag: 'accounts' },

  { method: 'get', path: '/api/calls', command: 'calls.list', input: 'none', tag: 'calls' },
  { method: 'post', path: '/api/calls', command: 'calls.dial', input: 'body', status: 201, tag: 'calls' },
  call('answer', 'calls.answer'),
  call('decline', 'calls.decline'),
  call('hangup', 'calls.hangup'),
  call('hold', 'calls.hold'),
  call('resume', 'calls.resume'),
  call('switch', 'calls.switch'),
  call('mute', 'calls.mute', 'body'),
  call('dtmf', 'calls.dtmf', 'body'),
  call('transfer', 'calls.transfer', 'body'),

  { method: 'get', path: '/api/history', command: 'history.list', input: 'query', tag: 'history' },
  { method: 'post', path: '/api/history/seen', command: 'history.markSeen', input: 'body', tag: 'history' },

  { method: 'get', path: '/api/contacts', command: 'contacts.list', input: 'query', tag: 'contacts' },
  { method: 'post', path: '/api/contacts', command: 'contacts.create', input: 'body', status: 201, tag: 'contacts' },
  { method: 'get', path: '/api/contacts/export.vcf', command: 'contacts.export', input: 'none', produces: 'text/vcard; charset=utf-8', tag: 'contacts' },
  { method: 'post', path: '/api/contacts/import', command: 'contacts.import', input: 'body', tag: 'contacts' },
  { method: 'patch', path: '/api/contacts/{id}', command: 'contacts.update', input: 'body', tag: 'contacts' },
  { method: 'delete', path: '/api/contacts/{id}', command: 'contacts.delete', input: 'none', tag: 'contacts' },

  { method: 'get', path: '/api/settings', command: 'settings.get', input: 'none', tag: 'settings' },
  { method: 'patch', path: '/api/settings', command: 'settings.update', input: 'body', tag: 'settings' },
];

/** The path parameters of a route: /api/calls/{id}/answer → ['id']. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

/** hono's spelling of a path: /api/calls/:id/answer. */
export function honoPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })).optional() }),
});

/** Describe every route (and the WebSocket) in an OpenAPI registry. */
export function describeRoutes(registry: OpenAPIHono['openAPIRegistry']): void {
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
