/**
 * What INVITE sessions need from the user agent core (implemented by UserAgent): sending
 * requests through client transactions (with digest retries and CANCEL), sending ACKs for 2xx
 * outside any transaction, the dialog table, the CANCEL hook of INVITE server transactions,
 * the clock, randomness and timers.
 */
import type { Logger } from '../../platform/logger.js';
import type { Scheduler } from '../../platform/scheduler.js';
import type { DialogTable } from '../dialog/dialog-table.js';
import type { Header, SipRequest, SipUri } from '../message.js';
import type { TimerConfig } from '../transaction/index.js';
import type { InviteServerTransaction } from '../transaction/index.js';
import type { TransportProtocol } from '../transport.js';
import type { UasCapabilities } from '../uas-core.js';
import type { ClientRequest, IncomingRequest, InviteRequestHandlers } from '../user-agent.js';

/** A usage that owns a dialog and hears every request of it. */
export interface DialogUsage {
  /** A new request in the dialog (not ACK, not CANCEL), already through the §8.2 checks. */
  receiveRequest(incoming: IncomingRequest): void;
  /** An ACK for a 2xx this usage sent (§13.3.1.4), or a retransmission of one. */
  receiveAck(ack: SipRequest): void;
}

export interface SessionHost {
  readonly scheduler: Scheduler;
  readonly random: () => string;
  readonly timers: TimerConfig;
  readonly logger: Logger;
  readonly capabilities: UasCapabilities;
  readonly dialogs: DialogTable<DialogUsage>;
  sendRequest(request: SipRequest, handlers: InviteRequestHandlers): ClientRequest;
  /** Send an ACK for a 2xx straight to the transport (§13.2.2.4: not a transaction). It gets a
   * Via with a fresh branch the first time; sending the same object again re-sends it.
   * Resolves once it is handed to the transport (never rejects). */
  sendAck(ack: SipRequest): Promise<void>;
  /** Call `onCancel` when a CANCEL matches `transaction` (§9.2); returns the unwatch. */
  watchCancel(transaction: InviteServerTransaction, onCancel: () => void): () => void;
  /** Contact for responses that need one when the application gave none. */
  contactUri(user: string | undefined, protocol: TransportProtocol): SipUri;
}

/** Allow and Supported for INVITEs and their 2xx (§13.2.1, §13.3.1: "SHOULD"). */
export function capabilityHeaders(host: SessionHost): Header[] {
  return [
    { name: 'Allow', value: host.capabilities.allow.join(', ') },
    { name: 'Supported', value: host.capabilities.supported.join(', ') },
  ];
}

/** A uniform number in [0, 1) from the host's hex random source. */
export function uniform(host: SessionHost): number {
  const hex = (host.random().replace(/[^0-9a-f]/gi, '') + '00000000').slice(0, 8);
  return parseInt(hex, 16) / 0x100000000;
}

/** An initial CSeq number (§8.1.1.5: below 2**31). */
export function initialSeq(host: SessionHost): number {
  return 1 + Math.floor(uniform(host) * 0x10000);
}
