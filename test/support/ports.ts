// Free ports on 127.0.0.1 for the real peers the interop tests start.
//
// A port is found by binding port 0 and releasing it, so another process may take it in the
// short window before the peer binds it; peers that fail to bind are restarted on fresh ports
// by the harness (see startKamailio). Every port here is on loopback only.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** Binds a UDP socket to `port` (0 = any) on loopback and returns the port it got, then releases it. */
export function probeUdp(port = 0): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(undefined);
    });
    s.bind(port, LOOPBACK, () => {
      const got = s.address().port;
      s.close(() => resolve(got));
    });
  });
}

/** Listens on TCP `port` (0 = any) on loopback and returns the port it got, then releases it. */
export function probeTcp(port = 0): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(undefined));
    srv.listen({ port, host: LOOPBACK, exclusive: true }, () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr ? addr.port : undefined;
      srv.close(() => resolve(got));
    });
  });
}

/** A port free on UDP. */
export async function freeUdpPort(): Promise<number> {
  const p = await probeUdp(0);
  if (p === undefined) throw new Error('no free UDP port on 127.0.0.1');
  return p;
}

/** A port free on TCP. */
export async function freeTcpPort(): Promise<number> {
  const p = await probeTcp(0);
  if (p === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return p;
}

/**
 * A port P free on UDP and on TCP, with P+1 free on TCP too (and on UDP when `nextUdp`),
 * the shape a SIP server with UDP+TCP on P and TLS on P+1 needs (Kamailio here, baresip's
 * own layout is SIP port and TLS at SIP port + 1).
 */
export async function freeSipPortPair(opts: { nextUdp?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const p = await probeUdp(0);
    if (p === undefined || p >= 65535) continue;
    if ((await probeTcp(p)) === undefined) continue;
    if ((await probeTcp(p + 1)) === undefined) continue;
    if (opts.nextUdp && (await probeUdp(p + 1)) === undefined) continue;
    return p;
  }
  throw new Error('no port P free on UDP+TCP with P+1 free on TCP, after 50 attempts');
}

/**
 * Whether some process has `port` bound on 127.0.0.1 (or any address), read from /proc/net
 * without touching the port (a probe bind could steal it from a peer that is starting).
 * For TCP only listening sockets count. Linux only.
 */
export function portInUse(port: number, proto: 'udp' | 'tcp'): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of proto === 'udp' ? ['/proc/net/udp', '/proc/net/udp6'] : ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const state = cols[3];
      if (!local || !local.endsWith(`:${hexPort}`)) continue;
      if (proto === 'tcp' && state !== '0A') continue;
      return true;
    }
  }
  return false;
}
