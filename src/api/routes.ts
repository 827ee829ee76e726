/**
 * The HTTP face of the command registry: each route names a command and where its input comes
 * from (path parameters plus the JSON body or the query). The same table routes the
 * requests (app.ts) and describes them in the OpenAPI document (openapi.ts, at build and test time only).
 */
import type { CommandName } from '../phone/commands.js';

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
  { method: 'get', path: '/api/settings/system-audio-devices', command: 'settings.systemAudioDevices', input: 'none', tag: 'settings' },
];

/** The path parameters of a route: /api/calls/{id}/answer → ['id']. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}
