/**
 * SIP trace text for people (`--trace`, logs, the API's diagnostics). Credentials never
 * appear in it: the values of Authorization and Proxy-Authorization are replaced wholesale
 * (the digest response is a password-equivalent for that nonce; the username and realm are
 * kept out too, so a trace can be shared).
 */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization)[ \t]*:.*(?:\r?\n[ \t].*)*$/gim;

export function redactCredentials(text: string): string {
  return text.replace(CREDENTIAL_HEADER, (line) => `${line.slice(0, line.indexOf(':'))}: [redacted]`);
}

export interface TraceEvent {
  direction: 'in' | 'out';
  /** `udp 127.0.0.1:5060` style description of the far end. */
  remote: string;
  local: string;
  /** The message text, credentials already redacted. */
  text: string;
  /** Milliseconds on the UA's clock. */
  at: number;
}
