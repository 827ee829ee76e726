/**
 * Where a new request from the network goes (RFC 3261 §8.2, §9.2, §12.2.2, §13.3.1.4), after
 * its server transaction has had its say:
 *
 *   ACK (no transaction took it) ──► the dialog's usage (the ACK for a 2xx), else dropped
 *   CANCEL ──► 200 and the cancelled INVITE's watcher (its 487), or 481 with no match (§9.2)
 *   To tag ──► §8.2 checks (481 for an unknown dialog) ──► the dialog's usage
 *   no To tag ──► §8.2 checks ──► the usage for the method, OPTIONS 200, INVITE 480 without a
 *                 handler, BYE/INFO 481 (they need a dialog), else 405
 */
import type { Logger } from '../platform/logger.js';
import type { DialogTable } from './dialog/dialog-table.js';
import type { DialogUsage } from './invite/host.js';
import type { Header, NameAddr, SipRequest, SipResponse } from './message.js';
import { createResponse, tagOf } from './message.js';
import type { InviteServerTransaction, ServerTransaction, TransactionLayer } from './transaction/index.js';
import type { Flow } from './transport.js';
import { isReliable } from './transport.js';
import type { UasCapabilities } from './uas-core.js';
import { checkRequest, optionsHeaders } from './uas-core.js';

/** What a usage's request handler gets for a new incoming request. */
export interface IncomingRequest {
  request: SipRequest;
  flow: Flow;
  transaction: ServerTransaction;
  /** The To tag of our responses: the request's own, or a fresh one (§8.2.6.2). */
  localTag: string;
  /** Send a response through the server transaction (the first final one ends it); returns it. */
  respond(status: number, reason?: string, opts?: { headers?: Header[]; contact?: NameAddr[]; contentType?: string; body?: Uint8Array }): SipResponse;
}

export interface DispatchContext {
  transactions: TransactionLayer;
  dialogs: DialogTable<DialogUsage>;
  cancelWatchers: ReadonlyMap<InviteServerTransaction, () => void>;
  handlers: ReadonlyMap<string, (req: IncomingRequest) => void>;
  capabilities: () => UasCapabilities;
  random: () => string;
  /** Server header value. */
  product?: string;
  log: Logger;
  sendResponse: (res: SipResponse, flow: Flow) => void;
}

export function dispatchRequest(ctx: DispatchContext, req: SipRequest, flow: Flow): void {
  const match = ctx.transactions.receiveRequest(req);
  if (match.kind === 'retransmission' || match.kind === 'invalid') return; // absorbed by its server transaction
  if (match.kind === 'ack') {
    // §13.3.1.4: the ACK for a 2xx goes to its dialog; a stray one is dropped.
    const usage = ctx.dialogs.find(req);
    if (usage) usage.receiveAck(req);
    else ctx.log.debug('stray ACK dropped', { callId: req.callId });
    return;
  }
  const localTag = tagOf(req.to) ?? ctx.random();
  const tx = ctx.transactions.createServer(req, {
    reliable: isReliable(flow.local.protocol),
    send: (msg) => ctx.sendResponse(msg as SipResponse, flow),
  });
  const respond = (status: number, reason?: string, o: { headers?: Header[]; contact?: NameAddr[]; contentType?: string; body?: Uint8Array } = {}): SipResponse => {
    const res = createResponse(req, status, reason, { toTag: localTag, ...o });
    if (ctx.product) res.headers.push({ name: 'Server', value: ctx.product });
    tx.respond(res);
    return res;
  };
  const incoming: IncomingRequest = { request: req, flow, transaction: tx, localTag, respond };
  if (req.method === 'CANCEL') {
    // §9.2: a CANCEL matching an INVITE server transaction gets 200 and the INVITE's TU
    // answers 487 (if it has not answered yet); with no match, 481.
    if (match.invite) {
      respond(200);
      ctx.cancelWatchers.get(match.invite)?.();
    } else respond(481);
    return;
  }
  // §12.2.2: requests with a To tag belong to a dialog of the table, or get 481.
  const usage = tagOf(req.to) !== undefined ? ctx.dialogs.find(req) : undefined;
  const check = checkRequest(req, ctx.capabilities(), { dialogExists: () => usage !== undefined });
  if (!check.ok) {
    respond(check.status, check.reason, { headers: check.headers });
    return;
  }
  if (usage) {
    usage.receiveRequest(incoming);
    return;
  }
  const handler = ctx.handlers.get(req.method);
  if (handler) {
    handler(incoming);
    return;
  }
  switch (req.method) {
    case 'OPTIONS':
      respond(200, 'OK', { headers: optionsHeaders(ctx.capabilities()) });
      return;
    case 'INVITE':
      respond(480, 'Temporarily Unavailable');
      return;
    case 'BYE':
    case 'INFO':
    case 'NOTIFY':
      // §15.1.2: "If the BYE does not match an existing dialog, the UAS core SHOULD generate
      // a 481"; INFO is only meaningful in a dialog too (RFC 6086 §4.2.2); a NOTIFY outside
      // any subscription of ours gets 481 (RFC 6665 §4.1.3).
      respond(481);
      return;
  }
  respond(405, 'Method Not Allowed', { headers: [{ name: 'Allow', value: ctx.capabilities().allow.join(', ') }] });
}
