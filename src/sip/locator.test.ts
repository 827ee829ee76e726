import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SipUri } from './message.js';
import { TransportError } from './transport.js';
import {
  ServerLocator,
  locate,
  orderSrv,
  tryTargets,
  isFailoverStatus,
  isNumericHost,
  type DnsResolver,
  type NaptrRecord,
  type SrvRecord,
  type ServerTarget,
} from './locator.js';

/** A zone in memory: the DNS edge, faked. Records every query in `log`. */
class FakeDns implements DnsResolver {
  readonly log: string[] = [];
  constructor(
    private readonly zone: {
      naptr?: Record<string, NaptrRecord[]>;
      srv?: Record<string, SrvRecord[]>;
      a?: Record<string, string[]>;
      aaaa?: Record<string, string[]>;
    },
  ) {}
  async naptr(name: string): Promise<NaptrRecord[]> {
    this.log.push(`NAPTR ${name}`);
    return this.zone.naptr?.[name] ?? [];
  }
  async srv(name: string): Promise<SrvRecord[]> {
    this.log.push(`SRV ${name}`);
    return this.zone.srv?.[name] ?? [];
  }
  async a(name: string): Promise<string[]> {
    this.log.push(`A ${name}`);
    return this.zone.a?.[name] ?? [];
  }
  async aaaa(name: string): Promise<string[]> {
    this.log.push(`AAAA ${name}`);
    return this.zone.aaaa?.[name] ?? [];
  }
}

function uri(scheme: 'sip' | 'sips', host: string, opts: { port?: number; params?: Record<string, string> } = {}): SipUri {
  return { scheme, host, port: opts.port, params: new Map(Object.entries(opts.params ?? {})), headers: new Map() };
}

function naptr(order: number, preference: number, service: string, replacement: string, flags = 's'): NaptrRecord {
  return { order, preference, flags, service, regexp: '', replacement };
}

function brief(targets: ServerTarget[]): string[] {
  return targets.map((t) => `${t.protocol} ${t.address}:${t.port}`);
}

const first = () => 0;

test('RFC 3263 §4.1/§4.2: a numeric IPv4 host is used directly, UDP and port 5060 for sip:', async () => {
  const dns = new FakeDns({});
  const t = await new ServerLocator(dns).locate(uri('sip', '192.0.2.4'));
  assert.deepEqual(t, [{ protocol: 'udp', address: '192.0.2.4', port: 5060, serverName: '192.0.2.4' }]);
  assert.deepEqual(dns.log, [], 'no DNS query for a numeric IP');
});

test('RFC 3263 §4.1/§4.2: a numeric host in a sips: URI is TLS on 5061; IPv6 brackets are removed', async () => {
  const dns = new FakeDns({});
  assert.deepEqual(brief(await new ServerLocator(dns).locate(uri('sips', '192.0.2.4'))), ['tls 192.0.2.4:5061']);
  assert.deepEqual(brief(await new ServerLocator(dns).locate(uri('sip', '[2001:db8::1]', { port: 5070 }))), ['udp 2001:db8::1:5070']);
  assert.deepEqual(dns.log, []);
});

test('RFC 3263 §4.2: a host with an explicit port is resolved with A/AAAA only, default transport', async () => {
  const dns = new FakeDns({
    naptr: { 'example.com': [naptr(10, 10, 'SIP+D2T', '_sip._tcp.example.com')] },
    a: { 'example.com': ['192.0.2.1'] },
    aaaa: { 'example.com': ['2001:db8::1'] },
  });
  const t = await new ServerLocator(dns).locate(uri('sip', 'example.com', { port: 5080 }));
  assert.deepEqual(brief(t), ['udp 192.0.2.1:5080', 'udp 2001:db8::1:5080']);
  assert.deepEqual(dns.log.sort(), ['A example.com', 'AAAA example.com'], 'no NAPTR or SRV when a port is given');
});

test('RFC 3263 §4.1: a transport= parameter selects the transport, then SRV for it (§4.2)', async () => {
  const dns = new FakeDns({
    srv: { '_sip._tcp.example.com': [{ priority: 1, weight: 0, port: 5070, name: 'proxy.example.com' }] },
    a: { 'proxy.example.com': ['192.0.2.7'] },
  });
  const t = await new ServerLocator(dns, { families: ['ipv4'] }).locate(uri('sip', 'example.com', { params: { transport: 'tcp' } }));
  assert.deepEqual(brief(t), ['tcp 192.0.2.7:5070']);
  assert.deepEqual(dns.log, ['SRV _sip._tcp.example.com', 'A proxy.example.com']);
});

test('RFC 3263 §4.2: transport= with no SRV records falls back to A/AAAA on the default port', async () => {
  const dns = new FakeDns({ a: { 'example.com': ['192.0.2.1'] } });
  const t = await new ServerLocator(dns, { families: ['ipv4'] }).locate(uri('sip', 'example.com', { params: { transport: 'TCP' } }));
  assert.deepEqual(brief(t), ['tcp 192.0.2.1:5060']);
});

test('RFC 3263 §4.1: transport=tcp in a sips: URI means TLS, looked up as _sips._tcp', async () => {
  const dns = new FakeDns({
    srv: { '_sips._tcp.example.com': [{ priority: 1, weight: 0, port: 5061, name: 'tls.example.com' }] },
    a: { 'tls.example.com': ['192.0.2.9'] },
  });
  const t = await new ServerLocator(dns, { families: ['ipv4'] }).locate(uri('sips', 'example.com', { params: { transport: 'tcp' } }));
  assert.deepEqual(t, [{ protocol: 'tls', address: '192.0.2.9', port: 5061, serverName: 'example.com' }]);
});

test('RFC 3263 §4.1: a transport we do not support, or udp in a sips: URI, yields no target', async () => {
  const dns = new FakeDns({ a: { 'example.com': ['192.0.2.1'] } });
  assert.deepEqual(await new ServerLocator(dns).locate(uri('sip', 'example.com', { params: { transport: 'sctp' } })), []);
  assert.deepEqual(await new ServerLocator(dns).locate(uri('sips', 'example.com', { params: { transport: 'udp' } })), []);
  assert.deepEqual(await new ServerLocator(dns, { transports: ['udp'] }).locate(uri('sip', 'example.com', { params: { transport: 'tcp' } })), []);
});

test('RFC 3263 §4.1: NAPTR records are sorted by order then preference; unsupported services are discarded', async () => {
  const dns = new FakeDns({
    naptr: {
      'example.com': [
        naptr(20, 10, 'SIP+D2U', '_sip._udp.example.com'),
        naptr(10, 20, 'SIP+D2T', '_sip._tcp.example.com'),
        naptr(10, 10, 'SIPS+D2T', '_sips._tcp.example.com'),
        naptr(5, 10, 'SIP+D2S', '_sip._sctp.example.com'),
        naptr(5, 5, 'E2U+sip', '!^.*$!sip:info@example.com!', 'u'),
      ],
    },
    srv: {
      '_sip._udp.example.com': [{ priority: 0, weight: 0, port: 5060, name: 'udp.example.com' }],
      '_sip._tcp.example.com': [{ priority: 0, weight: 0, port: 5060, name: 'tcp.example.com' }],
      '_sips._tcp.example.com': [{ priority: 0, weight: 0, port: 5061, name: 'tls.example.com' }],
      '_sip._sctp.example.com': [{ priority: 0, weight: 0, port: 5060, name: 'sctp.example.com' }],
    },
    a: { 'udp.example.com': ['192.0.2.1'], 'tcp.example.com': ['192.0.2.2'], 'tls.example.com': ['192.0.2.3'], 'sctp.example.com': ['192.0.2.4'] },
  });
  const t = await new ServerLocator(dns, { families: ['ipv4'] }).locate(uri('sip', 'example.com'));
  assert.deepEqual(brief(t), ['tls 192.0.2.3:5061', 'tcp 192.0.2.2:5060', 'udp 192.0.2.1:5060']);
  assert.equal(dns.log[0], 'NAPTR example.com', 'NAPTR is queried first');
  assert.ok(!dns.log.includes('SRV _sip._sctp.example.com'), 'no SRV query for an unsupported service');
  assert.ok(t.every((x) => x.serverName === 'example.com'), 'the certificate identity is the URI domain (RFC 5922 §4)');
});

test('RFC 3263 §4.1: the NAPTR transports are limited to the ones the client supports', async () => {
  const dns = new FakeDns({
    naptr: { 'example.com': [naptr(10, 10, 'SIPS+D2T', '_sips._tcp.example.com'), naptr(20, 10, 'SIP+D2U', '_sip._udp.example.com')] },
    srv: { '_sip._udp.example.com': [{ priority: 0, weight: 0, port: 5062, name: 'udp.example.com' }] },
    a: { 'udp.example.com': ['192.0.2.1'] },
  });
  const t = await new ServerLocator(dns, { transports: ['udp'], families: ['ipv4'] }).locate(uri('sip', 'example.com'));
  assert.deepEqual(brief(t), ['udp 192.0.2.1:5062']);
});

test('RFC 3263 §4.1: for a sips: URI only SIPS NAPTR services are used, so only TLS', async () => {
  const dns = new FakeDns({
    naptr: { 'example.com': [naptr(10, 10, 'SIP+D2U', '_sip._udp.example.com'), naptr(20, 10, 'SIPS+D2T', '_sips._tcp.example.com')] },
    srv: {
      '_sip._udp.example.com': [{ priority: 0, weight: 0, port: 5060, name: 'udp.example.com' }],
      '_sips._tcp.example.com': [{ priority: 0, weight: 0, port: 5061, name: 'tls.example.com' }],
    },
    a: { 'udp.example.com': ['192.0.2.1'], 'tls.example.com': ['192.0.2.3'] },
  });
  const t = await new ServerLocator(dns, { families: ['ipv4'] }).locate(uri('sips', 'example.com'));
  assert.deepEqual(brief(t), ['tls 192.0.2.3:5061']);
});

test('RFC 3263 §4.1: without NAPTR, SRV is queried for each supported transport', async () => {
  const dns = new FakeDns({
    srv: {
      '_sip._tcp.example.com': [{ priority: 0, weight: 0, port: 5060, name: 'tcp.example.com' }],
      '_sips._tcp.example.com': [{ priority: 0, weight: 0, port: 5061, name: 'tls.example.com' }],
    },
    a: { 'tcp.example.com': ['192.0.2.2'], 'tls.example.com': ['192.0.2.3'] },
  });
  const t = await new ServerLocator(dns, { transports: ['tls', 'tcp', 'udp'], families: ['ipv4'] }).locate(uri('sip', 'example.com'));
  assert.deepEqual(brief(t), ['tls 192.0.2.3:5061', 'tcp 192.0.2.2:5060'], 'in the client order of preference');
  for (const q of ['SRV _sip._udp.example.com', 'SRV _sip._tcp.example.com', 'SRV _sips._tcp.example.com']) assert.ok(dns.log.includes(q), q);
});

test('RFC 3263 §4.1: a sips: URI without NAPTR queries only _sips._tcp', async () => {
  const dns = new FakeDns({});
  await new ServerLocator(dns).locate(uri('sips', 'example.com'));
  assert.ok(dns.log.includes('SRV _sips._tcp.example.com'));
  assert.ok(!dns.log.some((q) => q.startsWith('SRV _sip.')));
});

test('RFC 3263 §4.2: with neither NAPTR nor SRV, A/AAAA of the host with UDP (sip:) or TLS (sips:) and the default port', async () => {
  const dns = new FakeDns({ a: { 'example.com': ['192.0.2.1'] }, aaaa: { 'example.com': ['2001:db8::1'] } });
  assert.deepEqual(brief(await new ServerLocator(dns).locate(uri('sip', 'example.com'))), ['udp 192.0.2.1:5060', 'udp 2001:db8::1:5060']);
  assert.deepEqual(brief(await new ServerLocator(dns, { families: ['ipv6', 'ipv4'] }).locate(uri('sips', 'example.com'))), [
    'tls 2001:db8::1:5061',
    'tls 192.0.2.1:5061',
  ]);
});

test('RFC 3263 §4.1: a configured default transport replaces UDP where the URI and DNS do not decide', async () => {
  const dns = new FakeDns({ a: { 'example.com': ['192.0.2.1'] } });
  const opts = { families: ['ipv4'] as const, defaultTransport: 'tcp' as const };
  assert.deepEqual(brief(await locate(uri('sip', 'example.com'), dns, opts)), ['tcp 192.0.2.1:5060']);
  assert.deepEqual(brief(await locate(uri('sip', '192.0.2.2'), dns, opts)), ['tcp 192.0.2.2:5060']);
  assert.deepEqual(brief(await locate(uri('sips', '192.0.2.2'), dns, opts)), ['tls 192.0.2.2:5061'], 'never for sips:');
});

test('RFC 3263 §4: the maddr parameter is the TARGET, the URI host stays the TLS identity', async () => {
  const dns = new FakeDns({ a: { 'edge.example.net': ['192.0.2.50'] } });
  const t = await new ServerLocator(dns, { families: ['ipv4'] }).locate(uri('sips', 'example.com', { port: 5061, params: { maddr: 'edge.example.net' } }));
  assert.deepEqual(t, [{ protocol: 'tls', address: '192.0.2.50', port: 5061, serverName: 'example.com' }]);
  const ip = await new ServerLocator(dns).locate(uri('sip', 'example.com', { params: { maddr: '192.0.2.60' } }));
  assert.deepEqual(brief(ip), ['udp 192.0.2.60:5060']);
});

test('RFC 2782: SRV targets are ordered by priority, each target expanded to its addresses in turn', async () => {
  const dns = new FakeDns({
    srv: {
      '_sip._udp.example.com': [
        { priority: 20, weight: 0, port: 5062, name: 'backup.example.com' },
        { priority: 10, weight: 0, port: 5060, name: 'main.example.com.' },
      ],
    },
    a: { 'main.example.com': ['192.0.2.1', '192.0.2.2'], 'backup.example.com': ['192.0.2.3'] },
  });
  const t = await new ServerLocator(dns, { transports: ['udp'], families: ['ipv4'], random: first }).locate(uri('sip', 'example.com'));
  assert.deepEqual(brief(t), ['udp 192.0.2.1:5060', 'udp 192.0.2.2:5060', 'udp 192.0.2.3:5062']);
});

test('RFC 2782: a target of "." means the service is not available: no fallback to A/AAAA', async () => {
  const dns = new FakeDns({
    srv: { '_sip._udp.example.com': [{ priority: 0, weight: 0, port: 0, name: '.' }] },
    a: { 'example.com': ['192.0.2.1'] },
  });
  assert.deepEqual(await new ServerLocator(dns, { transports: ['udp'] }).locate(uri('sip', 'example.com')), []);
});

test('RFC 2782: within one priority, selection is weighted random from the injected source', () => {
  const recs: SrvRecord[] = [
    { priority: 1, weight: 0, port: 1, name: 'zero' },
    { priority: 1, weight: 10, port: 2, name: 'ten' },
    { priority: 1, weight: 30, port: 3, name: 'thirty' },
    { priority: 0, weight: 5, port: 4, name: 'first' },
  ];
  const names = (rs: SrvRecord[]) => rs.map((r) => r.name);
  // Priority 0 first. Then running sums in record order: zero 0, ten 10, thirty 40; draw 1..40.
  // random 0 → 1 → ten; of zero/thirty: 1 → thirty; then the weight-0 record.
  assert.deepEqual(names(orderSrv(recs, () => 0)), ['first', 'ten', 'thirty', 'zero']);
  // random 0.99 → 1 + floor(39.6) = 40 → thirty; then 1 + floor(9.9) = 10 → ten.
  assert.deepEqual(names(orderSrv(recs, () => 0.99)), ['first', 'thirty', 'ten', 'zero']);
  // random 0.3 → 1 + floor(12) = 13 → thirty (running 40 ≥ 13, ten's 10 < 13).
  assert.deepEqual(names(orderSrv(recs, () => 0.3)), ['first', 'thirty', 'ten', 'zero']);
  // random 0.2 → 1 + floor(8) = 9 → ten.
  assert.deepEqual(names(orderSrv(recs, () => 0.2)), ['first', 'ten', 'thirty', 'zero']);
  // All weight 0: uniform among them.
  const zeros: SrvRecord[] = [
    { priority: 1, weight: 0, port: 1, name: 'a' },
    { priority: 1, weight: 0, port: 2, name: 'b' },
  ];
  assert.deepEqual(names(orderSrv(zeros, () => 0.7)), ['b', 'a']);
});

test('RFC 2782: weighted selection picks in proportion to weight over many draws', () => {
  let seed = 1;
  const lcg = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const recs: SrvRecord[] = [
    { priority: 1, weight: 1, port: 1, name: 'light' },
    { priority: 1, weight: 3, port: 2, name: 'heavy' },
  ];
  let heavyFirst = 0;
  for (let i = 0; i < 4000; i++) if (orderSrv(recs, lcg)[0]?.name === 'heavy') heavyFirst++;
  // Expected 3000 (weight 3 of 4); the deterministic generator makes the count reproducible.
  assert.ok(heavyFirst > 2850 && heavyFirst < 3150, `heavy first ${heavyFirst} of 4000`);
});

test('RFC 3263 §4.3: tryTargets moves on after a transport error and a 503, stops at the first other answer', async () => {
  const targets: ServerTarget[] = [
    { protocol: 'tcp', address: '192.0.2.1', port: 5060, serverName: 'example.com' },
    { protocol: 'tcp', address: '192.0.2.2', port: 5060, serverName: 'example.com' },
    { protocol: 'udp', address: '192.0.2.3', port: 5060, serverName: 'example.com' },
    { protocol: 'udp', address: '192.0.2.4', port: 5060, serverName: 'example.com' },
  ];
  const tried: string[] = [];
  const result = await tryTargets(
    targets,
    async (t) => {
      tried.push(t.address);
      if (t.address === '192.0.2.1') throw new TransportError('ECONNREFUSED', 'refused');
      return t.address === '192.0.2.2' ? 503 : 486;
    },
    isFailoverStatus,
  );
  assert.deepEqual(tried, ['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  assert.ok(result.ok);
  assert.equal(result.value, 486, 'a 486 is an answer, not a reason to fail over');
  assert.equal(result.target.address, '192.0.2.3');
  assert.equal(result.failures.length, 2);
  assert.equal((result.failures[0]?.error as TransportError).code, 'ECONNREFUSED');
  assert.equal(result.failures[1]?.value, 503);

  const none = await tryTargets(targets.slice(0, 1), async () => {
    throw new TransportError('ETIMEDOUT', 'timeout');
  });
  assert.equal(none.ok, false);
  assert.equal(none.failures.length, 1);
});

test('numeric host detection covers IPv4 and IPv6 with or without brackets', () => {
  for (const h of ['127.0.0.1', '::1', '[::1]', '[2001:db8::1]', '::ffff:192.0.2.1']) assert.ok(isNumericHost(h), h);
  for (const h of ['example.com', '1.2.3.4.example', '256.1.1.1', 'abc:def.com']) assert.ok(!isNumericHost(h), h);
});
