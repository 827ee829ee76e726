/** Small helpers shared by the Node transports: address text, error codes. */
import type { Endpoint, TransportProtocol } from '../../sip/transport.js';
import { TransportError } from '../../sip/transport.js';

/**
 * Whether an address that is already an IP literal (a socket's address, a bind address) is
 * IPv6. Not node:net's isIPv6: its validating regular expression costs ~20 ms to compile on
 * first use, on the path from start to registered (docs/bench-footprint.md).
 */
export function isIpv6Literal(address: string): boolean {
  return address.includes(':');
}

/** `1.2.3.4:5060` or `[::1]:5060`. */
export function endpointText(e: { address: string; port: number }): string {
  return isIpv6Literal(e.address) ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

/** IPv4-mapped IPv6 (`::ffff:1.2.3.4`, seen on dual-stack sockets) back to plain IPv4. */
export function normalizeAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? (m[1] as string) : address;
}

export function endpointKey(e: Endpoint): string {
  return `${e.protocol}|${normalizeAddress(e.address)}|${e.port}`;
}

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'ENOTFOUND', 'EAI_AGAIN', 'EINVAL']);
const CLOSED = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED', 'ERR_SOCKET_CLOSED', 'ERR_STREAM_WRITE_AFTER_END']);
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ETIMEDOUT', ...UNREACHABLE, ...CLOSED]);

/**
 * A TransportError with one of the seam's codes for a Node socket error. On TLS, an error that
 * is not a plain socket error happened in the handshake (certificate, hostname, protocol):
 * ETLS. UDP EMSGSIZE is ETOOBIG.
 */
export function transportErrorFrom(err: unknown, protocol: TransportProtocol, context: string): TransportError {
  if (err instanceof TransportError) return err;
  const nodeCode = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
  const message = err instanceof Error ? err.message : String(err);
  let code: string;
  if (nodeCode === 'ECONNREFUSED') code = 'ECONNREFUSED';
  else if (nodeCode === 'ETIMEDOUT') code = 'ETIMEDOUT';
  else if (nodeCode === 'EMSGSIZE') code = 'ETOOBIG';
  else if (nodeCode && UNREACHABLE.has(nodeCode)) code = 'EUNREACHABLE';
  else if (nodeCode && CLOSED.has(nodeCode)) code = 'ECLOSED';
  else if (protocol === 'tls' && !(nodeCode && SOCKET_ERRORS.has(nodeCode))) code = 'ETLS';
  else code = nodeCode ?? 'EIO';
  return new TransportError(code, `${context}: ${message}${nodeCode && nodeCode !== code ? ` (${nodeCode})` : ''}`, { cause: err });
}
