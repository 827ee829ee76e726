/**
 * The transport seam between the sans-IO SIP core and the sockets of a runtime
 * (platform/node/transport-layer.ts in Node). RFC 3261 §18 splits the job the same way:
 * the core decides what to send where; the transport layer owns connections and framing.
 */

export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** A transport address: protocol, IP address (no brackets for IPv6), port. */
export interface Endpoint {
  protocol: TransportProtocol;
  address: string;
  port: number;
}

/**
 * A flow (RFC 5626 §3): the path one message came in on or went out on. For connection-
 * oriented transports it names the connection, so responses and in-dialog requests reuse it.
 */
export interface Flow {
  /** Stable for the life of the connection (or the UDP 5-tuple). */
  readonly id: string;
  readonly local: Endpoint;
  readonly remote: Endpoint;
}

/** Reliable transports: no retransmissions, Timers D/I/J/K are zero (RFC 3261 §17). */
export function isReliable(protocol: TransportProtocol): boolean {
  return protocol !== 'udp';
}

export interface SendOptions {
  /** Reuse this flow if it is still open (responses, in-dialog requests, RFC 5626 flows). */
  flowId?: string;
  /** TLS server name to verify the certificate against (RFC 5922), when it is not `address`. */
  serverName?: string;
}

export interface TransportLayer {
  /**
   * Send one serialised message. Opens a connection when the protocol needs one and none is
   * open to `dest`. Resolves with the flow used; rejects with a TransportError on failure
   * (refused, unreachable, TLS verification failed, connection lost).
   */
  send(bytes: Uint8Array, dest: Endpoint, opts?: SendOptions): Promise<Flow>;
  /** The local address and port this transport listens on or sends from for `protocol`. */
  localEndpoint(protocol: TransportProtocol): Endpoint | undefined;
  /** Called with each complete message (already framed on stream transports). */
  onMessage: ((bytes: Uint8Array, flow: Flow) => void) | undefined;
  /** Called when a flow closes (connection lost, or closed by either side). */
  onFlowClosed: ((flow: Flow, reason: string) => void) | undefined;
  close(): Promise<void>;
}

export class TransportError extends Error {
  readonly code: string;
  constructor(code: 'ECONNREFUSED' | 'ETIMEDOUT' | 'ECLOSED' | 'ETLS' | 'EUNREACHABLE' | 'ETOOBIG' | string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportError';
    this.code = code;
  }
}
