/**
 * The account options every command that talks through an account shares (`register`,
 * `call`, `listen`): the AOR, credentials, registrar, outbound proxy and transport.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { SipUri } from '../sip/message.js';
import { isSipUri } from '../sip/message.js';
import { parseUri } from '../sip/uri.js';
import type { TransportProtocol } from '../sip/transport.js';
import { CliError } from './errors.js';

export interface AccountFlags {
  password?: string;
  authUser?: string;
  registrar?: string;
  outboundProxy?: string;
  transport?: TransportProtocol;
  sipPort?: string;
  tlsCa?: string[];
  dns?: string[];
  trace?: boolean;
}

export function addAccountOptions(cmd: Command): Command {
  return cmd
    .option('--password <password>', 'digest password (or set SOFTPHONE_PASSWORD)')
    .option('--auth-user <user>', 'digest username when it differs from the AOR user')
    .option('--registrar <uri>', 'registrar URI (default: the AOR domain)')
    .option('--outbound-proxy <uri>', 'send every request through this proxy (RFC 3261 §8.1.2)')
    .addOption(new Option('--transport <transport>', 'transport to the registrar/proxy').choices(['udp', 'tcp', 'tls']))
    .option('--sip-port <port>', 'local SIP port for UDP and TCP (TLS uses port+1); default: any free port')
    .option('--tls-ca <file...>', 'extra CA certificate(s) (PEM) to trust for TLS; the system store is always used')
    .option('--dns <server...>', 'DNS server(s) ip[:port] for RFC 3263 lookups')
    .option('--trace', 'print every SIP message sent and received (credentials redacted)');
}

/** `alice@example.com`, `sip:alice@example.com` or `sips:…` as a SIP URI. */
export function parseSipTarget(text: string, what: string): SipUri {
  const withScheme = /^(sips?|tel):/i.test(text) ? text : `sip:${text}`;
  const r = parseUri(withScheme);
  if (!r.ok) throw new CliError(`${what} "${text}" is not a SIP URI: ${r.error.message}`);
  if (!isSipUri(r.value)) throw new CliError(`${what} "${text}" must be a sip: or sips: URI`);
  return r.value;
}

/** Apply --transport to a next-hop URI (transport= parameter, RFC 3263 §4.1). */
export function withTransport(uri: SipUri, transport: TransportProtocol | undefined): SipUri {
  if (!transport) return uri;
  const params = new Map(uri.params);
  params.set('transport', transport);
  return { ...uri, params };
}

export function passwordFrom(flags: AccountFlags): string | undefined {
  return flags.password ?? process.env.SOFTPHONE_PASSWORD;
}

export function portFrom(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CliError(`${what} must be a port number 0-65535, not "${value}"`);
  return n;
}
