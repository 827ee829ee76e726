/**
 * Locating SIP servers (RFC 3263 §4): from a SIP or SIPS URI to an ordered list of
 * transport, address and port to try. The policy only; DNS itself comes through an injected
 * DnsResolver (platform/node/dns.ts in Node), and the caller walks the list, moving to the
 * next target on a timeout, a transport error or a 503 (§4.3, `tryTargets` below).
 *
 *   numeric IP ──────────────────────────────▶ that IP, URI port or default port
 *   explicit port ───────────────────────────▶ A/AAAA of the host, that port
 *   transport= param ─▶ SRV _sip(s)._<proto> ─▶ A/AAAA of each SRV target (none: A/AAAA, default port)
 *   otherwise ─▶ NAPTR ─▶ SRV of the replacement ─▶ A/AAAA
 *                  └ no usable NAPTR ─▶ SRV for each supported transport ─▶ A/AAAA
 *                                         └ no SRV ─▶ A/AAAA of the host, default transport and port
 *
 * Deliberate choices where the RFC leaves room:
 * - Every usable NAPTR record contributes its targets, most preferred first, so a failure of
 *   every server of the preferred transport moves on to the next transport.
 * - Without NAPTR, SRV records of all supported transports are used, in the caller's order
 *   of `transports` ("the client MAY use any transport protocol it desires which is
 *   supported by the server", §4.1).
 * - When the default transport (UDP for sip:, TLS for sips:) is not supported, the first
 *   supported transport allowed for the scheme stands in for it.
 */
import type { TransportProtocol } from './transport.js';
import type { SipUri } from './message.js';

export interface NaptrRecord {
  order: number;
  preference: number;
  flags: string;
  service: string;
  regexp: string;
  replacement: string;
}

export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  /** Target host name; `.` means the service is decidedly not available (RFC 2782). */
  name: string;
}

/** DNS as the locator needs it. Failures (NXDOMAIN, timeouts, refusals) resolve to []. */
export interface DnsResolver {
  naptr(name: string): Promise<NaptrRecord[]>;
  srv(name: string): Promise<SrvRecord[]>;
  a(name: string): Promise<string[]>;
  aaaa(name: string): Promise<string[]>;
}

/** One place to try: where to send, and the name to check the TLS certificate against. */
export interface ServerTarget {
  protocol: TransportProtocol;
  /** IP address, IPv6 without brackets. */
  address: string;
  port: number;
  /**
   * The host of the URI, the identity a TLS certificate must carry (RFC 5922 §4: the domain
   * from the URI, not the SRV target). For a numeric host, the IP address.
   */
  serverName: string;
}

export interface LocatorOptions {
  /** Transports this client supports, most preferred first. Default udp, tcp, tls. */
  transports?: readonly TransportProtocol[];
  /** Address families to resolve, in order. Default ipv4 then ipv6. */
  families?: readonly ('ipv4' | 'ipv6')[];
  /** Uniform random in [0, 1) for the weighted SRV selection of RFC 2782. Default Math.random. */
  random?: () => number;
  /**
   * The transport used when neither the URI nor DNS decides (numeric host, explicit port, no
   * SRV records). Default UDP for sip: and TLS for sips: (RFC 3263 §4.1); ignored when it is
   * not secure and the URI is sips:, or when it is not in `transports`.
   */
  defaultTransport?: TransportProtocol;
}

/** Short name for a located target. */
export type Target = ServerTarget;

/** RFC 3261 §19.1.2 / RFC 7118 default ports. */
export function defaultPort(protocol: TransportProtocol): number {
  switch (protocol) {
    case 'udp':
    case 'tcp':
      return 5060;
    case 'tls':
      return 5061;
    case 'ws':
      return 80;
    case 'wss':
      return 443;
  }
}

/** NAPTR services (IANA SIP table: RFC 3263, RFC 7118) and the transports they stand for. */
const NAPTR_SERVICES: Readonly<Record<string, { protocol: TransportProtocol; secure: boolean }>> = {
  'SIP+D2U': { protocol: 'udp', secure: false },
  'SIP+D2T': { protocol: 'tcp', secure: false },
  'SIPS+D2T': { protocol: 'tls', secure: true },
  'SIP+D2W': { protocol: 'ws', secure: false },
  'SIPS+D2W': { protocol: 'wss', secure: true },
};

/** The SRV owner name prefix for a transport (RFC 3263 §4.2, RFC 7118 §6). */
function srvPrefix(protocol: TransportProtocol): string {
  switch (protocol) {
    case 'udp':
      return '_sip._udp.';
    case 'tcp':
      return '_sip._tcp.';
    case 'tls':
      return '_sips._tcp.';
    case 'ws':
      return '_sip._ws.';
    case 'wss':
      return '_sips._ws.';
  }
}

function isSecure(protocol: TransportProtocol): boolean {
  return protocol === 'tls' || protocol === 'wss';
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Whether a host (IPv6 with or without brackets) is a numeric IP address. */
export function isNumericHost(host: string): boolean {
  if (IPV4.test(host)) return true;
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return h.includes(':') && /^[0-9a-fA-F:.]+$/.test(h);
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * The transport a `transport=` parameter selects (RFC 3263 §4.1), undefined for one we cannot
 * use. In a SIPS URI, tcp means TLS over TCP and ws means secure WebSocket; udp is invalid.
 */
function transportFromParam(value: string, sips: boolean): TransportProtocol | undefined {
  switch (value.toLowerCase()) {
    case 'udp':
      return sips ? undefined : 'udp';
    case 'tcp':
      return sips ? 'tls' : 'tcp';
    case 'tls':
      return 'tls';
    case 'ws':
      return sips ? 'wss' : 'ws';
    case 'wss':
      return 'wss';
    default:
      return undefined;
  }
}

export class ServerLocator {
  private readonly transports: readonly TransportProtocol[];
  private readonly families: readonly ('ipv4' | 'ipv6')[];
  private readonly random: () => number;
  private readonly preferredDefault: TransportProtocol | undefined;

  constructor(
    private readonly resolver: DnsResolver,
    opts: LocatorOptions = {},
  ) {
    this.transports = opts.transports ?? ['udp', 'tcp', 'tls'];
    this.families = opts.families ?? ['ipv4', 'ipv6'];
    this.random = opts.random ?? Math.random;
    this.preferredDefault = opts.defaultTransport;
  }

  /** The ordered targets for a request to `uri`; empty when nothing usable was found. */
  async locate(uri: SipUri): Promise<ServerTarget[]> {
    const sips = uri.scheme === 'sips';
    // RFC 3263 §4: "TARGET [is] the value of the maddr parameter of the URI, if present,
    // otherwise, the host value of the hostport component of the URI."
    const maddr = uri.params.get('maddr');
    const target = stripBrackets(maddr ?? uri.host).replace(/\.$/, '');
    const serverName = stripBrackets(uri.host);
    // "If the URI is a SIPS URI, the client MUST use TLS": only secure transports qualify.
    const allowed = sips ? this.transports.filter(isSecure) : this.transports;

    let param: TransportProtocol | undefined;
    const paramValue = uri.params.get('transport');
    if (paramValue !== undefined && paramValue !== null) {
      param = transportFromParam(paramValue, sips);
      if (!param || !allowed.includes(param)) return [];
    }
    const fallback = param ?? this.defaultTransport(sips, allowed);

    // §4.1/§4.2: a numeric IP is used as is, with the URI port or the default port.
    if (isNumericHost(target)) {
      if (!fallback) return [];
      return [{ protocol: fallback, address: target, port: uri.port ?? defaultPort(fallback), serverName }];
    }
    // §4.2: "If the TARGET was not a numeric IP address, but a port is present in the URI,
    // the client performs an A or AAAA record lookup of the domain name."
    if (uri.port !== undefined) {
      if (!fallback) return [];
      return this.addressTargets(target, fallback, uri.port, serverName);
    }
    // §4.2: a transport from the URI: SRV for it, else A/AAAA with the default port.
    if (param) {
      const viaSrv = await this.srvTargets(srvPrefix(param) + target, param, serverName);
      if (viaSrv.found) return viaSrv.targets;
      return this.addressTargets(target, param, defaultPort(param), serverName);
    }
    // §4.1: NAPTR first.
    const fromNaptr = await this.naptrTargets(target, sips, allowed, serverName);
    if (fromNaptr.found) return fromNaptr.targets;
    // "If no NAPTR records are found, the client constructs SRV queries for those transport
    // protocols it supports, and does a query for each."
    const perTransport = await Promise.all(allowed.map((p) => this.srvTargets(srvPrefix(p) + target, p, serverName)));
    if (perTransport.some((r) => r.found)) return dedupe(perTransport.flatMap((r) => r.targets));
    // "If no SRV records were found, the client SHOULD use TCP for a SIPS URI, and UDP for a
    // SIP URI", with an A or AAAA lookup and the default port.
    if (!fallback) return [];
    return this.addressTargets(target, fallback, defaultPort(fallback), serverName);
  }

  private defaultTransport(sips: boolean, allowed: readonly TransportProtocol[]): TransportProtocol | undefined {
    const configured = this.preferredDefault;
    if (configured && allowed.includes(configured)) return configured;
    const preferred: TransportProtocol = sips ? 'tls' : 'udp';
    if (allowed.includes(preferred)) return preferred;
    return allowed.find((p) => p !== 'ws' && p !== 'wss') ?? allowed[0];
  }

  private async naptrTargets(
    domain: string,
    sips: boolean,
    allowed: readonly TransportProtocol[],
    serverName: string,
  ): Promise<{ found: boolean; targets: ServerTarget[] }> {
    const records = (await this.resolver.naptr(domain))
      .filter((r) => {
        const svc = NAPTR_SERVICES[r.service.toUpperCase()];
        // §4.1: discard services we do not support; for a SIPS URI, "the client MUST discard
        // any services that do not contain "SIPS" as the protocol in the service field".
        return svc !== undefined && allowed.includes(svc.protocol) && (!sips || svc.secure)
          && r.flags.toLowerCase() === 's' && r.replacement !== '' && r.replacement !== '.';
      })
      // §4.1: "the client SHOULD take the one with the lowest order ... among those with the
      // same order, the lowest preference".
      .sort((x, y) => x.order - y.order || x.preference - y.preference);
    if (records.length === 0) return { found: false, targets: [] };
    const per = await Promise.all(records.map((r) => {
      const svc = NAPTR_SERVICES[r.service.toUpperCase()];
      return svc ? this.srvTargets(r.replacement.replace(/\.$/, ''), svc.protocol, serverName) : { found: false, targets: [] };
    }));
    return { found: true, targets: dedupe(per.flatMap((p) => p.targets)) };
  }

  /** `found` is true when SRV records exist, even if they all say "not available". */
  private async srvTargets(
    name: string,
    protocol: TransportProtocol,
    serverName: string,
  ): Promise<{ found: boolean; targets: ServerTarget[] }> {
    const records = await this.resolver.srv(name);
    if (records.length === 0) return { found: false, targets: [] };
    const ordered = orderSrv(records.filter((r) => r.name !== '.' && r.name !== ''), this.random);
    const per = await Promise.all(ordered.map((r) => this.addressTargets(r.name.replace(/\.$/, ''), protocol, r.port, serverName)));
    return { found: true, targets: per.flat() };
  }

  private async addressTargets(host: string, protocol: TransportProtocol, port: number, serverName: string): Promise<ServerTarget[]> {
    if (isNumericHost(host)) return [{ protocol, address: stripBrackets(host), port, serverName }];
    const lists = await Promise.all(this.families.map((f) => (f === 'ipv4' ? this.resolver.a(host) : this.resolver.aaaa(host))));
    return lists.flat().map((address) => ({ protocol, address, port, serverName }));
  }
}

/** `new ServerLocator(resolver, opts).locate(uri)` in one call. */
export function locate(uri: SipUri, resolver: DnsResolver, opts: LocatorOptions = {}): Promise<ServerTarget[]> {
  return new ServerLocator(resolver, opts).locate(uri);
}

/**
 * RFC 2782 ordering: ascending priority; within one priority, repeatedly pick a record with
 * probability proportional to its weight ("compute the sum of the weights ... choose a
 * uniform random number between 0 and the sum computed (inclusive), and select the RR whose
 * running sum value is the first in the selected order which is greater than or equal to the
 * random number selected").
 *
 * Deliberate deviation: the draw is from 1..sum, not 0..sum. The RFC's draw of 0 hands the
 * first record one extra share (weights 1 and 3 would be picked 2:3, not 1:3); from 1 the
 * shares match the weights exactly. Weight-0 records are picked only once no weighted record
 * is left ("a very small chance"), then in random order.
 */
export function orderSrv(records: readonly SrvRecord[], random: () => number): SrvRecord[] {
  const byPriority = new Map<number, SrvRecord[]>();
  for (const r of records) {
    const group = byPriority.get(r.priority);
    if (group) group.push(r);
    else byPriority.set(r.priority, [r]);
  }
  const out: SrvRecord[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    const pending = (byPriority.get(priority) ?? []).slice();
    while (pending.length > 0) {
      const sum = pending.reduce((s, r) => s + r.weight, 0);
      let index: number;
      if (sum === 0) {
        index = Math.min(pending.length - 1, Math.floor(random() * pending.length));
      } else {
        const pick = Math.min(sum, 1 + Math.floor(random() * sum));
        let running = 0;
        index = pending.length - 1;
        for (let i = 0; i < pending.length; i++) {
          running += (pending[i] as SrvRecord).weight;
          if (running >= pick) {
            index = i;
            break;
          }
        }
      }
      out.push(...pending.splice(index, 1));
    }
  }
  return out;
}

function dedupe(targets: ServerTarget[]): ServerTarget[] {
  const seen = new Set<string>();
  return targets.filter((t) => {
    const key = `${t.protocol}|${t.address}|${t.port}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One failed attempt: the target, and the value or the error it failed with. */
export interface FailedAttempt<T> {
  target: ServerTarget;
  value?: T;
  error?: unknown;
}

export type FailoverResult<T> =
  | { ok: true; target: ServerTarget; value: T; failures: FailedAttempt<T>[] }
  | { ok: false; failures: FailedAttempt<T>[] };

/**
 * RFC 3263 §4.3: "a client SHOULD try the next element in the list ... if the transaction
 * layer returns a failure (a timeout or transport error) or if a 503 response is received".
 * A 503 is the only response that moves on; any other response ends the search.
 */
export function isFailoverStatus(status: number): boolean {
  return status === 503;
}

/**
 * Try `attempt` on each target in turn until one succeeds. A rejected attempt (transport
 * error, timeout) or a value for which `failed` says true (say a 503 response) moves on to
 * the next target. Never rejects: running out of targets is a result with every failure.
 */
export async function tryTargets<T>(
  targets: readonly ServerTarget[],
  attempt: (target: ServerTarget) => Promise<T>,
  failed: (value: T) => boolean = () => false,
): Promise<FailoverResult<T>> {
  const failures: FailedAttempt<T>[] = [];
  for (const target of targets) {
    let value: T;
    try {
      value = await attempt(target);
    } catch (error) {
      failures.push({ target, error });
      continue;
    }
    if (failed(value)) {
      failures.push({ target, value });
      continue;
    }
    return { ok: true, target, value, failures };
  }
  return { ok: false, failures };
}
