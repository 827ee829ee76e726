// RFC 3263 server location against a real DNS server: dnsmasq on 127.0.0.1, serving NAPTR,
// SRV and A records made up for the test, queried through platform/node/dns.ts, and the
// located targets used by real TCP transports (failover from a refused server to a live one).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SipUri } from '../../src/sip/message.js';
import type { DnsResolver, NaptrRecord, SrvRecord } from '../../src/sip/locator.js';
import { ServerLocator, tryTargets } from '../../src/sip/locator.js';
import { TransportError, type Flow } from '../../src/sip/transport.js';
import { NodeDnsResolver } from '../../src/platform/node/dns.js';
import { NodeTransportLayer } from '../../src/platform/node/transport-layer.js';
import { peerMissingReason } from '../support/peers.js';
import { freeTcpPort, freeUdpPort, probeTcp } from '../support/ports.js';
import { makeRunDir, spawnPeer, tail, type PeerProcess } from '../support/process.js';

const skip = peerMissingReason('dnsmasq') ?? false;
const DOMAIN = 'example.test';

let dns: PeerProcess | undefined;
let dnsPort = 0;
/** Ports the zone points at: a TCP port nobody listens on, and the live server's. */
let deadPort = 0;
let server: NodeTransportLayer | undefined;
let livePort = 0;

function zoneArgs(): string[] {
  return [
    // NAPTR (RFC 3263 §4.1): TCP preferred (order 10) over UDP (order 20); a service we do
    // not support at the best order, to be discarded.
    `--naptr-record=${DOMAIN},5,10,S,SIP+D2S,,_sip._sctp.${DOMAIN}`,
    `--naptr-record=${DOMAIN},10,10,S,SIP+D2T,,_sip._tcp.${DOMAIN}`,
    `--naptr-record=${DOMAIN},20,10,S,SIP+D2U,,_sip._udp.${DOMAIN}`,
    // SRV (RFC 2782): the dead server has the better priority, so it is tried first.
    `--srv-host=_sip._tcp.${DOMAIN},dead.${DOMAIN},${deadPort},10,0`,
    `--srv-host=_sip._tcp.${DOMAIN},live.${DOMAIN},${livePort},20,0`,
    `--srv-host=_sip._udp.${DOMAIN},live.${DOMAIN},${livePort},10,0`,
    `--srv-host=_sip._sctp.${DOMAIN},live.${DOMAIN},${livePort},10,0`,
    `--host-record=dead.${DOMAIN},127.0.0.1`,
    `--host-record=live.${DOMAIN},127.0.0.1`,
    // A domain with SRV only (no NAPTR) and one with an A record only.
    `--srv-host=_sip._tcp.srv-only.${DOMAIN},live.${DOMAIN},${livePort},0,0`,
    `--host-record=a-only.${DOMAIN},127.0.0.1`,
  ];
}

before(async () => {
  if (skip) return;
  server = new NodeTransportLayer({ tcp: { address: '127.0.0.1', port: 0 } });
  await server.start();
  livePort = server.localEndpoint('tcp')?.port ?? 0;
  deadPort = await freeTcpPort();
  const runDir = makeRunDir('dnsmasq');
  // dnsmasq binds UDP and TCP on its port; a probed port can be taken in between, so retry.
  for (let attempt = 0; attempt < 5 && !dns; attempt++) {
    const port = await freeUdpPort();
    if ((await probeTcp(port)) === undefined) continue;
    const proc = spawnPeer({
      name: 'dnsmasq',
      command: '/usr/sbin/dnsmasq',
      runDir,
      args: [
        '--no-daemon', `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces',
        '--no-resolv', '--no-hosts', '--conf-file=/dev/null', `--pid-file=${runDir}/dnsmasq.pid`,
        '--log-facility=-', '--log-queries', ...zoneArgs(),
      ],
    });
    // "started, version" is logged once the sockets are bound; an exit means the bind failed.
    const ready = await Promise.race([
      proc.waitForOutput(/started, version/, 10_000).then(() => true, () => false),
      proc.exited.then(() => false),
    ]);
    if (ready) {
      dns = proc;
      dnsPort = port;
    } else {
      await proc.stop();
      if (attempt === 4) throw new Error(`dnsmasq did not start:\n${tail(proc.output())}`);
    }
  }
});

after(async () => {
  await dns?.stop();
  await server?.close();
});

/** The real resolver, with every query written down in order. */
function recordingResolver(): { resolver: DnsResolver; log: string[] } {
  const real = new NodeDnsResolver({ servers: [`127.0.0.1:${dnsPort}`], timeoutMs: 2000, tries: 2 });
  const log: string[] = [];
  const wrap = <T>(type: string, fn: (name: string) => Promise<T[]>) => async (name: string) => {
    log.push(`${type} ${name}`);
    return fn(name);
  };
  return {
    log,
    resolver: {
      naptr: wrap<NaptrRecord>('NAPTR', (n) => real.naptr(n)),
      srv: wrap<SrvRecord>('SRV', (n) => real.srv(n)),
      a: wrap<string>('A', (n) => real.a(n)),
      aaaa: wrap<string>('AAAA', (n) => real.aaaa(n)),
    },
  };
}

function sipUri(host: string, port?: number): SipUri {
  return { scheme: 'sip', host, port, params: new Map(), headers: new Map() };
}

test('RFC 3263 §4.1-§4.2 against dnsmasq: NAPTR, then SRV of the replacement, then A of each SRV target', { skip }, async () => {
  const { resolver, log } = recordingResolver();
  const locator = new ServerLocator(resolver, { transports: ['udp', 'tcp'], families: ['ipv4'], random: () => 0 });
  const targets = await locator.locate(sipUri(DOMAIN));
  assert.deepEqual(
    targets.map((t) => `${t.protocol} ${t.address}:${t.port}`),
    [`tcp 127.0.0.1:${deadPort}`, `tcp 127.0.0.1:${livePort}`, `udp 127.0.0.1:${livePort}`],
    'NAPTR order (TCP 10 before UDP 20), SCTP discarded, SRV priority within TCP',
  );
  assert.ok(targets.every((t) => t.serverName === DOMAIN));
  const first = (prefix: string) => log.findIndex((q) => q.startsWith(prefix));
  assert.equal(log[0], `NAPTR ${DOMAIN}`, 'NAPTR first');
  assert.ok(first('SRV _sip._tcp.') > 0 && first('SRV _sip._tcp.') < first('A '), 'SRV before A');
  assert.ok(log.includes(`A dead.${DOMAIN}`) && log.includes(`A live.${DOMAIN}`), 'A of each SRV target');
  assert.ok(!log.includes(`SRV _sip._sctp.${DOMAIN}`), 'no SRV query for the unsupported SCTP service');
});

test('RFC 3263 §4.1-§4.2 against dnsmasq: SRV without NAPTR, and A only with the default port', { skip }, async () => {
  const { resolver } = recordingResolver();
  const locator = new ServerLocator(resolver, { transports: ['udp', 'tcp'], families: ['ipv4'] });
  const viaSrv = await locator.locate(sipUri(`srv-only.${DOMAIN}`));
  assert.deepEqual(viaSrv.map((t) => `${t.protocol} ${t.address}:${t.port}`), [`tcp 127.0.0.1:${livePort}`]);
  const viaA = await locator.locate(sipUri(`a-only.${DOMAIN}`));
  assert.deepEqual(viaA.map((t) => `${t.protocol} ${t.address}:${t.port}`), ['udp 127.0.0.1:5060']);
  const unknown = await locator.locate(sipUri(`nowhere.${DOMAIN}`));
  assert.deepEqual(unknown, [], 'names dnsmasq does not know resolve to nothing, without errors');
});

test('RFC 3263 §4.3 against dnsmasq: the refused first SRV target fails over to the second', { skip }, async (t) => {
  assert.ok(server);
  const live = server;
  const { resolver } = recordingResolver();
  const targets = await new ServerLocator(resolver, { transports: ['tcp'], families: ['ipv4'], random: () => 0 }).locate(sipUri(DOMAIN));
  assert.equal(targets[0]?.port, deadPort);

  const client = new NodeTransportLayer({ tcp: { address: '127.0.0.1', port: 0 } });
  t.after(() => client.close());
  await client.start();
  const received = new Promise<Flow>((resolve) => {
    live.onMessage = (_bytes, flow) => resolve(flow);
  });
  const bytes = new TextEncoder().encode(
    `OPTIONS sip:${DOMAIN} SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKdns\r\nCall-ID: dns-failover\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
  );
  const result = await tryTargets(targets, (target) => client.send(bytes, target, { serverName: target.serverName }));
  assert.ok(result.ok, 'a target worked');
  assert.equal(result.target.port, livePort);
  assert.equal(result.failures.length, 1);
  assert.ok(result.failures[0]?.error instanceof TransportError);
  assert.equal((result.failures[0]?.error as TransportError).code, 'ECONNREFUSED');
  const flow = await received;
  assert.equal(flow.remote.port, result.value.local.port, 'the live server got the request');
});
