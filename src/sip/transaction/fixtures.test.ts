/**
 * Shared fixtures for the transaction tests (named *.test.ts so the build leaves it out; it
 * holds no tests itself). Messages are built with createRequest/createResponse, not parsed.
 */
import type { NameAddr, SipMessage, SipRequest, SipResponse, SipUri, Via } from '../message.js';
import { createRequest, createResponse } from '../message.js';
import type { ClientTransactionUser, ServerTransactionUser } from './transaction.js';

export function sipUri(user: string | undefined, host: string, port?: number): SipUri {
  return { scheme: 'sip', user, host, port, params: new Map(), headers: new Map() };
}

export function nameAddr(user: string, host: string, tag?: string): NameAddr {
  return { uri: sipUri(user, host), params: tag === undefined ? new Map() : new Map([['tag', tag]]) };
}

export function via(branch: string | undefined, host = '192.0.2.10', port: number | undefined = 5060, transport = 'UDP'): Via {
  return { transport, host, port, branch, params: new Map() };
}

export interface RequestOptions {
  branch?: string | undefined;
  host?: string;
  port?: number;
  seq?: number;
  cseqMethod?: string;
  callId?: string;
  fromTag?: string;
  toTag?: string;
  route?: NameAddr[];
  extraVia?: Via[];
}

export function request(method: string, o: RequestOptions = {}): SipRequest {
  const branch = 'branch' in o ? o.branch : 'z9hG4bK-test-1';
  return createRequest({
    method,
    uri: sipUri('bob', 'biloxi.example.com'),
    via: [via(branch, o.host, o.port), ...(o.extraVia ?? [])],
    from: nameAddr('alice', 'atlanta.example.com', o.fromTag ?? '1928301774'),
    to: nameAddr('bob', 'biloxi.example.com', o.toTag),
    callId: o.callId ?? 'a84b4c76e66710@pc33.atlanta.example.com',
    cseq: { seq: o.seq ?? 314159, method: o.cseqMethod ?? method },
    route: o.route,
  });
}

export function invite(o: RequestOptions = {}): SipRequest {
  return request('INVITE', o);
}

export function response(req: SipRequest, status: number, toTag = 'a6c85cf'): SipResponse {
  return createResponse(req, status, undefined, { toTag });
}

/** Collects what a transaction sends and what it tells its user, with the virtual time. */
export class Recorder {
  readonly sent: { at: number; message: SipMessage }[] = [];
  readonly events: string[] = [];
  readonly finals: SipResponse[] = [];
  readonly provisionals: SipResponse[] = [];
  errors: Error[] = [];
  constructor(private readonly now: () => number) {}

  send = (message: SipMessage): void => {
    this.sent.push({ at: this.now(), message });
  };

  /** Times (ms) at which messages were sent. */
  get sentAt(): number[] {
    return this.sent.map((s) => s.at);
  }

  get lastSent(): SipMessage | undefined {
    return this.sent[this.sent.length - 1]?.message;
  }

  clientUser(): ClientTransactionUser {
    return {
      onProvisional: (r) => {
        this.provisionals.push(r);
        this.events.push(`provisional ${r.status}`);
      },
      onFinal: (r) => {
        this.finals.push(r);
        this.events.push(`final ${r.status}`);
      },
      onTimeout: () => this.events.push('timeout'),
      onTransportError: (e) => {
        this.errors.push(e);
        this.events.push('transport-error');
      },
      onTerminated: () => this.events.push('terminated'),
    };
  }

  serverUser(): ServerTransactionUser {
    return {
      onTimeout: () => this.events.push('timeout'),
      onTransportError: (e) => {
        this.errors.push(e);
        this.events.push('transport-error');
      },
      onTerminated: () => this.events.push('terminated'),
    };
  }
}

export function statusOf(m: SipMessage | undefined): number | string | undefined {
  if (!m) return undefined;
  return m.type === 'response' ? m.status : m.method;
}
