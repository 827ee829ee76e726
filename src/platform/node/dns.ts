/**
 * The DNS half of RFC 3263 for Node: sip/locator.ts's DnsResolver over node:dns/promises.
 * Every failure (NXDOMAIN, no data, refused, timeout) resolves to an empty list, as the
 * locator expects: it falls through to the next step of §4 instead.
 */
import { Resolver } from 'node:dns/promises';
import type { DnsResolver, NaptrRecord, SrvRecord } from '../../sip/locator.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';

export interface NodeDnsResolverOptions {
  /** Servers to query, `ip` or `ip:port` (`[::1]:53` for IPv6); default the system's. */
  servers?: string[];
  /** Per-try timeout in ms (node:dns default when absent). */
  timeoutMs?: number;
  /** Tries per server. */
  tries?: number;
  logger?: Logger;
}

export class NodeDnsResolver implements DnsResolver {
  private readonly resolver: Resolver;
  private readonly log: Logger;

  constructor(opts: NodeDnsResolverOptions = {}) {
    this.resolver = new Resolver({
      ...(opts.timeoutMs !== undefined ? { timeout: opts.timeoutMs } : {}),
      ...(opts.tries !== undefined ? { tries: opts.tries } : {}),
    });
    if (opts.servers && opts.servers.length > 0) this.resolver.setServers(opts.servers);
    this.log = (opts.logger ?? silentLogger).child('platform.dns');
  }

  naptr(name: string): Promise<NaptrRecord[]> {
    return this.query('NAPTR', name, () => this.resolver.resolveNaptr(name));
  }

  srv(name: string): Promise<SrvRecord[]> {
    return this.query('SRV', name, () => this.resolver.resolveSrv(name));
  }

  a(name: string): Promise<string[]> {
    return this.query('A', name, () => this.resolver.resolve4(name));
  }

  aaaa(name: string): Promise<string[]> {
    return this.query('AAAA', name, () => this.resolver.resolve6(name));
  }

  /** Stop outstanding queries (they resolve empty). */
  cancel(): void {
    this.resolver.cancel();
  }

  private async query<T>(type: string, name: string, run: () => Promise<T[]>): Promise<T[]> {
    try {
      const records = await run();
      this.log.debug('dns answer', { type, name, count: records.length });
      return records;
    } catch (err) {
      this.log.debug('dns no answer', { type, name, code: (err as { code?: string }).code ?? String(err) });
      return [];
    }
  }
}
