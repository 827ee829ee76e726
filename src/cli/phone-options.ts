/**
 * Building a Phone from the account options shared by `call` and `listen`.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { createNodePhone } from '../main/node.js';
import type { DtmfMode } from '../phone/call.js';
import type { Phone } from '../phone/phone.js';
import type { AccountFlags } from './account-options.js';
import { addAccountOptions, parseSipTarget, passwordFrom, portFrom, withTransport } from './account-options.js';
import { CliError } from './errors.js';
import { printTrace } from './trace-printer.js';

export interface PhoneFlags extends AccountFlags {
  account?: string;
  codecs?: string;
  dtmfMode?: DtmfMode;
  rtpPorts?: string;
  register?: boolean;
  mediaWorkers?: string;
}

export function addPhoneOptions(cmd: Command): Command {
  cmd.option('--account <aor>', 'your address-of-record, e.g. 1001@pbx.example.com (needed to dial numbers)');
  addAccountOptions(cmd);
  return cmd
    .option('--codecs <list>', 'codecs in order of preference', 'pcmu,pcma')
    .addOption(new Option('--dtmf-mode <mode>', 'how to send DTMF: RFC 4733 events when the peer supports them, else SIP INFO').choices(['auto', 'rfc4733', 'info']).default('auto'))
    .option('--rtp-ports <min-max>', 'RTP port range', '10000-20000')
    .option('--no-register', 'with --account: do not register (calls only)')
    .option('--media-workers <n>', 'threads carrying the calls\' RTP (0: the main thread)');
}

function parseRange(text: string | undefined): { min: number; max: number } | undefined {
  if (!text) return undefined;
  const m = /^(\d+)-(\d+)$/.exec(text);
  if (!m || Number(m[1]) >= Number(m[2]) || Number(m[2]) > 65535) throw new CliError(`--rtp-ports must be MIN-MAX with MIN < MAX <= 65535, not "${text}"`);
  return { min: Number(m[1]), max: Number(m[2]) };
}

function parseWorkers(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new CliError(`--media-workers must be a whole number from 0 to 64, not "${text}"`);
  return n;
}

export async function phoneFromFlags(flags: PhoneFlags): Promise<Phone> {
  const aor = flags.account ? parseSipTarget(flags.account, '--account') : undefined;
  const registrar = flags.registrar ? withTransport(parseSipTarget(flags.registrar, '--registrar'), flags.transport) : undefined;
  // Like Linphone's "proxy": without an explicit outbound proxy, requests for the account go
  // through its registrar when one is given; else to the AOR domain (RFC 3263).
  const proxyText = flags.outboundProxy ?? flags.registrar;
  const outboundProxy = aor && proxyText ? withTransport(parseSipTarget(proxyText, '--outbound-proxy'), flags.transport) : undefined;
  const password = passwordFrom(flags);
  const phone = await createNodePhone({
    peerHost: (outboundProxy ?? aor)?.host ?? '127.0.0.1',
    sipPort: portFrom(flags.sipPort, '--sip-port'),
    preferredTransport: flags.transport,
    tlsCaFiles: flags.tlsCa,
    dnsServers: flags.dns,
    outboundProxy,
    credentials: aor && password !== undefined ? [{ username: aor.user ?? '', authUsername: flags.authUser, password }] : [],
    account: aor ? { aor, registrar, register: flags.register !== false } : undefined,
    transport: flags.transport,
    codecs: (flags.codecs ?? 'pcmu,pcma').split(',').map((c) => c.trim()).filter(Boolean),
    dtmfMode: flags.dtmfMode,
    rtpPorts: parseRange(flags.rtpPorts),
    mediaWorkers: parseWorkers(flags.mediaWorkers),
  }).catch((err: unknown) => {
    throw new CliError(err instanceof Error ? err.message : String(err), 1);
  });
  if (flags.trace) printTrace(phone.ua);
  return phone;
}

/** Register when an account is configured; print the outcome. Returns false on failure. */
export async function registerIfAccount(phone: Phone, flags: PhoneFlags): Promise<boolean> {
  if (!flags.account || flags.register === false) return true;
  const e = await phone.register();
  if (e.state === 'registered') {
    process.stdout.write(`registered ${flags.account} for ${e.expires}s\n`);
    return true;
  }
  process.stderr.write(`registration of ${flags.account} failed: ${e.reason}\n`);
  return false;
}
