/**
 * The transaction layer (RFC 3261 §17): creates client transactions (with a fresh
 * magic-cookie branch), creates server transactions for new requests, and matches every
 * message from the network to its transaction (§17.1.3, §17.2.3), forgetting each
 * transaction the instant it terminates.
 *
 *   UA core ── createClient(request) ──► ICT / NICT ── send(msg, tx) ──► UA (serialise, transport)
 *   transport ─► UA ── receiveResponse(res) ──► matching client transaction, or undefined (stray)
 *   transport ─► UA ── receiveRequest(req) ──► 'retransmission' (absorbed by its server transaction)
 *                                              'ack'  (an ACK for the dialog: 2xx ACK, or stray)
 *                                              'new'  (UA checks it, then createServer(req))
 *
 * Strays: RFC 6026 §8.9 has a UA drop responses that match no client transaction; ACKs that
 * match no server transaction are the UA's to hand to the dialog (an ACK for a 2xx, §13.3.1.4)
 * or to drop.
 */
import type { SipRequest, SipResponse } from '../message.js';
import type { Logger } from '../../platform/logger.js';
import { silentLogger } from '../../platform/logger.js';
import type { Scheduler } from '../../platform/scheduler.js';
import { TransactionError } from './errors.js';
import { InviteClientTransaction } from './invite-client-transaction.js';
import { InviteServerTransaction } from './invite-server-transaction.js';
import { clientKey, clientKeyOfResponse, MAGIC_COOKIE, matches2543, serverKey } from './matching.js';
import { NonInviteClientTransaction } from './non-invite-client-transaction.js';
import { NonInviteServerTransaction } from './non-invite-server-transaction.js';
import type { TimerConfig } from './timers.js';
import { timerConfig } from './timers.js';
import type { ClientTransactionUser, ServerTransactionUser, TransactionOptions } from './transaction.js';

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

export interface TransactionLayerOptions {
  scheduler: Scheduler;
  /** T1/T2/T4 (and Timer D, the 100 Trying delay) for every transaction of this layer. */
  timers?: Partial<TimerConfig>;
  /**
   * A fresh random token on every call (for instance 16 hex digits from Web Crypto, through the
   * platform seam). Branches are `z9hG4bK` + token, so it must be a SIP `token` and unguessable
   * enough to be unique in space and time (§8.1.1.7).
   */
  random: () => string;
  /** The layer and its transactions log under this logger's `sip.transaction` child. */
  logger?: Logger;
}

export interface ClientContext {
  /** Reliable transport to the next hop: no retransmissions, Timers D and K are zero. */
  reliable: boolean;
  /** Serialise and send; on failure call `transaction.transportError(err)`. Called from
   * inside `createClient` for the first transmission. */
  send: (message: SipRequest, transaction: ClientTransaction) => void;
  user: ClientTransactionUser;
}

export interface ServerContext {
  /** The request came over a reliable transport: no retransmissions, Timers I and J are zero. */
  reliable: boolean;
  /** Serialise and send a response (§18.2.2); on failure call `transaction.transportError(err)`. */
  send: (message: SipResponse, transaction: ServerTransaction) => void;
  /** May be set later through `transaction.user`. */
  user?: ServerTransactionUser;
}

/** What `receiveRequest` found. */
export type RequestMatch =
  /** No transaction: the UA checks the request and creates one with `createServer`. For a
   * CANCEL, `invite` is the INVITE server transaction it cancels, if there is one (§9.2). */
  | { kind: 'new'; invite?: InviteServerTransaction }
  /** The request belongs to an existing server transaction, which has dealt with it: a
   * retransmission, or the ACK for a 3xx-6xx final response. Nothing more to do. */
  | { kind: 'retransmission'; transaction: ServerTransaction }
  /** An ACK the transactions do not absorb: one matching no transaction (an ACK for a 2xx
   * from an RFC 3261 peer, or a stray) or one that reached an INVITE server transaction in
   * Accepted (`transaction` set; RFC 6026: passed up). The UA hands it to the dialog or drops it. */
  | { kind: 'ack'; transaction?: InviteServerTransaction }
  /** No top Via: no transaction can be matched or created (the parser should not let it by). */
  | { kind: 'invalid'; reason: string };

export class TransactionLayer {
  private readonly scheduler: Scheduler;
  private readonly timers: TimerConfig;
  private readonly random: () => string;
  private readonly logger: Logger;
  private readonly clients = new Map<string, ClientTransaction>();
  /** Server transactions created by requests with a magic-cookie branch, by §17.2.3 key. */
  private readonly servers = new Map<string, ServerTransaction>();
  /** Server transactions created by RFC 2543 requests, matched by scanning. */
  private readonly legacyServers = new Set<ServerTransaction>();
  private isClosed = false;

  constructor(options: TransactionLayerOptions) {
    this.scheduler = options.scheduler;
    this.timers = timerConfig(options.timers);
    this.random = options.random;
    this.logger = (options.logger ?? silentLogger).child('sip.transaction');
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Number of live client transactions. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Number of live server transactions. */
  get serverCount(): number {
    return this.servers.size + this.legacyServers.size;
  }

  /** A new branch: the magic cookie followed by a random token (§8.1.1.7). */
  newBranch(): string {
    return MAGIC_COOKIE + this.random();
  }

  /**
   * Run a client transaction for `request` (an INVITE client transaction for INVITE, a
   * non-INVITE one otherwise) and send the request. The top Via must be in place; it gets a
   * new branch if it has none (a CANCEL keeps its INVITE's branch, §9.1). ACK is refused:
   * the ACK for a non-2xx belongs to the INVITE client transaction and the ACK for a 2xx is
   * sent by the TU outside any transaction (§13.2.2.4, §17.1.1.3).
   */
  createClient(request: SipRequest, context: ClientContext): ClientTransaction {
    if (request.method === 'INVITE') return this.createInviteClient(request, context);
    return this.createNonInviteClient(request, context);
  }

  createInviteClient(request: SipRequest, context: ClientContext): InviteClientTransaction {
    return this.startClient(request, context, InviteClientTransaction);
  }

  createNonInviteClient(request: SipRequest, context: ClientContext): NonInviteClientTransaction {
    return this.startClient(request, context, NonInviteClientTransaction);
  }

  /**
   * Hand a response from the network to its client transaction (§17.1.3). Returns that
   * transaction, or undefined for a stray the UA should drop (RFC 6026 §8.9).
   */
  receiveResponse(response: SipResponse): ClientTransaction | undefined {
    const key = clientKeyOfResponse(response);
    const tx = key === undefined ? undefined : this.clients.get(key);
    tx?.receiveResponse(response);
    return tx;
  }

  /**
   * Hand a request from the network to its server transaction (§17.2.3), if it has one. See
   * RequestMatch for what the UA does next.
   */
  receiveRequest(request: SipRequest): RequestMatch {
    if (!request.via[0]) return { kind: 'invalid', reason: 'no Via header field' };
    if (request.method === 'ACK') {
      const tx = this.findServer(request);
      if (tx instanceof InviteServerTransaction) {
        return tx.receiveRequest(request) ? { kind: 'retransmission', transaction: tx } : { kind: 'ack', transaction: tx };
      }
      return { kind: 'ack' };
    }
    const tx = this.findServer(request);
    if (tx) {
      tx.receiveRequest(request);
      return { kind: 'retransmission', transaction: tx };
    }
    if (request.method === 'CANCEL') {
      const invite = this.findInviteServer(request);
      return invite ? { kind: 'new', invite } : { kind: 'new' };
    }
    return { kind: 'new' };
  }

  /**
   * Create the server transaction for a new request (one `receiveRequest` called 'new'): an
   * INVITE server transaction for INVITE, a non-INVITE one otherwise. ACK is refused (it
   * never creates a transaction).
   */
  createServer(request: SipRequest, context: ServerContext): ServerTransaction {
    if (request.method === 'INVITE') return this.createInviteServer(request, context);
    return this.createNonInviteServer(request, context);
  }

  createInviteServer(request: SipRequest, context: ServerContext): InviteServerTransaction {
    return this.startServer(request, context, InviteServerTransaction);
  }

  createNonInviteServer(request: SipRequest, context: ServerContext): NonInviteServerTransaction {
    return this.startServer(request, context, NonInviteServerTransaction);
  }

  /**
   * The INVITE server transaction a CANCEL cancels (§9.2: "the transaction for the request
   * being cancelled" is found with the rules of §17.2.3, except that the method is INVITE).
   */
  findInviteServer(cancel: SipRequest): InviteServerTransaction | undefined {
    const key = serverKey(cancel, 'INVITE');
    if (key !== undefined) {
      const tx = this.servers.get(key);
      return tx instanceof InviteServerTransaction ? tx : undefined;
    }
    for (const tx of this.legacyServers) {
      if (tx instanceof InviteServerTransaction && matches2543(tx.request, cancel, { asMethod: 'INVITE' })) return tx;
    }
    return undefined;
  }

  /** The live client transaction with this branch and method, if any. */
  findClient(branch: string, method: string): ClientTransaction | undefined {
    return this.clients.get(clientKey(branch, method));
  }

  /** Terminate every transaction (their users hear onTerminated) and refuse new ones. Idempotent. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const all = [...this.clients.values(), ...this.servers.values(), ...this.legacyServers];
    for (const tx of all) tx.terminate();
  }

  /** Give the request's top Via a branch if it has none, run `Machine` for it, send it. */
  private startClient<T extends InviteClientTransaction | NonInviteClientTransaction>(
    request: SipRequest,
    context: ClientContext,
    Machine: new (request: SipRequest, options: TransactionOptions<T> & { user: ClientTransactionUser }) => T,
  ): T {
    this.assertOpen();
    if (request.method === 'ACK') {
      throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', 'ACK is not sent in a client transaction of its own (§17.1.1.3, §13.2.2.4)');
    }
    const top = request.via[0];
    if (!top) throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', 'the request needs a top Via before it is sent');
    if (top.branch === undefined || top.branch === '') top.branch = this.newBranch();
    const key = clientKey(top.branch, request.method);
    if (this.clients.has(key)) {
      throw new TransactionError('ERR_SIP_TRANSACTION_EXISTS', `a ${request.method} client transaction with branch ${top.branch} exists`);
    }
    const tx = new Machine(request, {
      scheduler: this.scheduler,
      timers: this.timers,
      logger: this.logger,
      reliable: context.reliable,
      send: (msg, t) => context.send(msg as SipRequest, t),
      user: context.user,
      onDestroyed: () => this.clients.delete(key),
    });
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }

  /** Run `Machine` for a new request (no server transaction has it yet) and remember it. */
  private startServer<T extends InviteServerTransaction | NonInviteServerTransaction>(
    request: SipRequest,
    context: ServerContext,
    Machine: new (request: SipRequest, options: TransactionOptions<T> & { user?: ServerTransactionUser }) => T,
  ): T {
    this.assertOpen();
    if (request.method === 'ACK') {
      throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', 'an ACK never creates a server transaction (§17.2.3)');
    }
    if (!request.via[0]) throw new TransactionError('ERR_SIP_TRANSACTION_ARGUMENT', 'the request has no Via');
    const key = serverKey(request);
    if (this.findServer(request)) {
      throw new TransactionError('ERR_SIP_TRANSACTION_EXISTS', `a server transaction for this ${request.method} exists`);
    }
    const tx: T = new Machine(request, {
      scheduler: this.scheduler,
      timers: this.timers,
      logger: this.logger,
      reliable: context.reliable,
      send: (msg, t) => context.send(msg as SipResponse, t),
      user: context.user,
      onDestroyed: () => this.forgetServer(key, tx),
    });
    this.rememberServer(key, tx);
    return tx;
  }

  private rememberServer(key: string | undefined, tx: ServerTransaction): void {
    if (key === undefined) this.legacyServers.add(tx);
    else this.servers.set(key, tx);
  }

  private forgetServer(key: string | undefined, tx: ServerTransaction): void {
    if (key === undefined) this.legacyServers.delete(tx);
    else if (this.servers.get(key) === tx) this.servers.delete(key);
  }

  /** §17.2.3: by key for magic-cookie branches, else by the RFC 2543 comparison. */
  private findServer(request: SipRequest): ServerTransaction | undefined {
    const key = serverKey(request);
    if (key !== undefined) return this.servers.get(key);
    for (const tx of this.legacyServers) {
      const responseToTag = tx instanceof InviteServerTransaction ? tx.responseToTag : undefined;
      if (matches2543(tx.request, request, { responseToTag })) return tx;
    }
    return undefined;
  }

  private assertOpen(): void {
    if (this.isClosed) throw new TransactionError('ERR_SIP_TRANSACTION_CLOSED', 'the transaction layer is closed');
  }
}
