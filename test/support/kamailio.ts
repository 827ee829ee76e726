// Kamailio 5.6 as registrar and proxy on 127.0.0.1 for interop tests.
//
// startKamailio() renders test/peers/kamailio/kamailio.cfg into a fresh run directory with free
// ports (UDP and TCP on one port P, TLS on P+1), writes the db_text tables with the users and
// their passwords, makes a test CA and a server certificate for 127.0.0.1/localhost with
// openssl, checks the config (kamailio -c), starts Kamailio in the foreground and waits until
// it answers an OPTIONS on UDP. The caller must stop() it (node:test `after`, see process.ts).
//
//   const kam = await startKamailio();                 // alice/alice-secret, bob/bob-secret, ...
//   after(() => kam.stop());
//   ... register alice to udp:127.0.0.1:kam.udpPort (or tcp, or tls with kam.caPath) ...
//   assert.equal((await kam.bindings('alice')).length, 1);
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeSipPortPair, LOOPBACK } from './ports.js';
import { KAMAILIO_MODULES_DIR } from './peers.js';
import { delay, fmtStatus, makeRunDir, runCommand, sipOptionsPing, spawnPeer, tail } from './process.js';
import type { PeerProcess } from './process.js';

export const KAMAILIO_BIN = '/usr/sbin/kamailio';
export const KAMCMD_BIN = '/usr/sbin/kamcmd';
export const KAMAILIO_CFG_TEMPLATE = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'kamailio', 'kamailio.cfg');

/** The users every Kamailio of the harness knows unless told otherwise: user -> password. */
export const DEFAULT_USERS: Readonly<Record<string, string>> = Object.freeze({
  alice: 'alice-secret',
  bob: 'bob-secret',
  carol: 'carol-secret',
  '1001': '1001-secret',
  '1002': '1002-secret',
  '1003': '1003-secret',
  '1004': '1004-secret',
});

export interface KamailioOptions {
  /** user -> password; DEFAULT_USERS when absent. */
  users?: Record<string, string>;
  /** SIP domain and digest realm; '127.0.0.1' when absent. Always an alias of the server. */
  domain?: string;
  /** Expires below this gets 423 Interval Too Brief with Min-Expires (default 60). */
  minExpires?: number;
  /** Expires above this is lowered to it in the 200 (default 3600). */
  maxExpires?: number;
  /** Expires applied when a REGISTER has none (default 3600). */
  defaultExpires?: number;
  /** Offer qop="auth" in challenges (default true); false: RFC 2069 style digest without qop. */
  qop?: boolean;
  /** Kamailio log level: 2 info (default), 3 debug. */
  debug?: number;
  /** Readiness bound (default 15000 ms). */
  startTimeoutMs?: number;
}

/** One registered contact, from `kamcmd ul.lookup location <user>`. */
export interface Binding {
  aor: string;
  /** The Contact URI as registered. */
  contact: string;
  /** Seconds left, as Kamailio reports it. */
  expires: number;
  q: number;
  callId: string;
  cseq: number;
  userAgent?: string;
  /** Source the binding came from (set for TCP/TLS bindings: sip:ip:port;transport=...). */
  received?: string;
  path?: string;
  instance?: string;
  regId: number;
  /** Local socket it arrived on, e.g. "udp:127.0.0.1:5060". */
  socket: string;
  /** Every field kamcmd printed, raw. */
  raw: Record<string, string>;
}

export interface Kamailio {
  readonly host: string;
  readonly udpPort: number;
  readonly tcpPort: number;
  readonly tlsPort: number;
  readonly domain: string;
  /** The test CA certificate (PEM) that signed the server certificate: what clients trust. */
  readonly caPath: string;
  /** Server certificate (PEM, CN 127.0.0.1, SAN IP:127.0.0.1 and DNS:localhost) and key. */
  readonly certPath: string;
  readonly keyPath: string;
  readonly users: Readonly<Record<string, string>>;
  readonly runDir: string;
  /** stdout+stderr of every run of this instance (restarts append). */
  readonly logPath: string;
  readonly cfgPath: string;
  /** The ctl socket, for `kamcmd -s <ctlSocket> ...`. */
  readonly ctlSocket: string;
  /** The server's own URI for a transport, e.g. sip:127.0.0.1:5060;transport=tcp. */
  uri(transport?: 'udp' | 'tcp' | 'tls'): string;
  /** Current bindings of `user` (empty when none). */
  bindings(user: string): Promise<Binding[]>;
  /** Runs `kamcmd -s <ctl> ...args` and returns its stdout; throws on failure. */
  rpc(...args: string[]): Promise<string>;
  /** What Kamailio has logged so far (all runs). */
  log(): string;
  /** Stops Kamailio and starts it again on the same ports (bindings are lost: usrloc is in memory). */
  restart(): Promise<void>;
  /** Stops Kamailio only (for a test of a registrar that goes away); start() brings it back. */
  stopProcess(): Promise<void>;
  /** Starts it again after stopProcess() on the same ports. */
  start(): Promise<void>;
  /** Stops Kamailio; idempotent. */
  stop(): Promise<void>;
}

/** MD5 hex, for the ha1 columns of the subscriber table. */
function md5(s: string): string {
  return createHash('md5').update(s).digest('hex');
}

/** Escapes a db_text value (':' separates columns). */
function dbtEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/:/g, '\\:').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

/** Writes the db_text tables Kamailio needs: version and subscriber (schema of Kamailio 5.6). */
export function writeDbTextTables(dir: string, users: Record<string, string>, realm: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'version'), 'id(int,auto) table_name(string) table_version(int) \n0:version:1\n0:subscriber:7\n');
  let id = 0;
  const rows = Object.entries(users).map(([user, pass]) => {
    id++;
    const ha1 = md5(`${user}:${realm}:${pass}`);
    const ha1b = md5(`${user}@${realm}:${realm}:${pass}`);
    return [String(id), user, realm, pass, ha1, ha1b].map(dbtEscape).join(':');
  });
  writeFileSync(
    join(dir, 'subscriber'),
    `id(int,auto) username(string) domain(string) password(string) ha1(string) ha1b(string) \n${rows.join('\n')}\n`,
  );
}

export interface TestCertificates {
  caPath: string;
  caKeyPath: string;
  certPath: string;
  keyPath: string;
}

/**
 * Makes a test CA and a server certificate signed by it for CN 127.0.0.1 with SAN
 * IP:127.0.0.1, DNS:localhost (EC P-256, valid 2 days) in `dir`, with openssl.
 */
export async function makeTestCertificates(dir: string, names: { dns?: string[]; ips?: string[] } = {}): Promise<TestCertificates> {
  mkdirSync(dir, { recursive: true });
  const caPath = join(dir, 'ca.pem');
  const caKeyPath = join(dir, 'ca.key');
  const certPath = join(dir, 'server.pem');
  const keyPath = join(dir, 'server.key');
  const csrPath = join(dir, 'server.csr');
  const extPath = join(dir, 'server.ext');
  const dns = ['localhost', ...(names.dns ?? [])];
  const ips = ['127.0.0.1', ...(names.ips ?? [])];
  const san = [...ips.map((i) => `IP:${i}`), ...dns.map((d) => `DNS:${d}`)].join(',');
  writeFileSync(extPath, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${san}\n`);
  const steps: string[][] = [
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', caKeyPath, '-out', caPath,
      '-days', '2', '-subj', '/CN=softphone test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyPath, '-out', csrPath, '-subj', '/CN=127.0.0.1'],
    ['x509', '-req', '-in', csrPath, '-CA', caPath, '-CAkey', caKeyPath, '-CAcreateserial', '-out', certPath, '-days', '2', '-extfile', extPath],
  ];
  for (const args of steps) {
    const r = await runCommand('/usr/bin/openssl', args, { cwd: dir, timeoutMs: 15000 });
    if (r.code !== 0) throw new Error(`openssl ${args[0]} failed (${r.code}): ${r.stderr}`);
  }
  return { caPath, caKeyPath, certPath, keyPath };
}

/** Fills {{NAME}} placeholders; throws when one is left unfilled. */
export function renderTemplate(template: string, values: Record<string, string | number>): string {
  const out = template.replace(/\{\{([A-Z_]+)\}\}/g, (m, name: string) => (name in values ? String(values[name]) : m));
  const left = out.match(/\{\{[A-Z_]+\}\}/);
  if (left) throw new Error(`template placeholder ${left[0]} has no value`);
  return out;
}

interface Node {
  fields: Record<string, string>;
  children: Array<[string, Node]>;
}

/** Parses kamcmd's text rendering of an RPC structure ("Key: value" lines and "Key: { ... }" blocks). */
export function parseKamcmdTree(text: string): Node {
  const root: Node = { fields: {}, children: [] };
  const stack: Node[] = [root];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (!line) continue;
    const top = stack[stack.length - 1] ?? root;
    if (line === '{') {
      const n: Node = { fields: {}, children: [] };
      top.children.push(['', n]);
      stack.push(n);
    } else if (line === '}') {
      if (stack.length > 1) stack.pop();
    } else {
      const m = line.match(/^([^:]+):\s*(.*)$/);
      if (!m) continue;
      const key = m[1] ?? '';
      const value = m[2] ?? '';
      if (value === '{') {
        const n: Node = { fields: {}, children: [] };
        top.children.push([key, n]);
        stack.push(n);
      } else {
        top.fields[key] = value;
      }
    }
  }
  return root;
}

function notSet(v: string | undefined): string | undefined {
  return v === undefined || v === '[not set]' ? undefined : v;
}

/** Bindings in the output of `kamcmd ul.lookup location USER` or `kamcmd ul.dump`. */
export function parseBindings(text: string, aorFilter?: string): Binding[] {
  const root = parseKamcmdTree(text);
  const out: Binding[] = [];
  const visit = (n: Node, aor: string | undefined): void => {
    const here = n.fields['AoR'] ?? aor;
    for (const [k, c] of n.children) {
      if (k === 'Contact' && here !== undefined && (aorFilter === undefined || here === aorFilter)) {
        const f = c.fields;
        out.push({
          aor: here,
          contact: f['Address'] ?? '',
          expires: Number(f['Expires'] ?? NaN),
          q: Number(f['Q'] ?? -1),
          callId: f['Call-ID'] ?? '',
          cseq: Number(f['CSeq'] ?? NaN),
          userAgent: notSet(f['User-Agent']),
          received: notSet(f['Received']),
          path: notSet(f['Path']),
          instance: notSet(f['Instance']),
          regId: Number(f['Reg-Id'] ?? 0),
          socket: f['Socket'] ?? '',
          raw: { ...f },
        });
      } else {
        visit(c, here);
      }
    }
  };
  visit(root, undefined);
  return out;
}

/** Starts Kamailio as registrar/proxy; see the file comment. */
export async function startKamailio(opts: KamailioOptions = {}): Promise<Kamailio> {
  const users = { ...(opts.users ?? DEFAULT_USERS) };
  const domain = opts.domain ?? LOOPBACK;
  const runDir = makeRunDir('kamailio');
  const dbDir = join(runDir, 'db');
  const cfgPath = join(runDir, 'kamailio.cfg');
  const pidPath = join(runDir, 'kamailio.pid');
  const logPath = join(runDir, 'kamailio.log');
  const ctlPath = join(runDir, 'kamailio_ctl');
  const ctlSocket = `unix:${ctlPath}`;
  const startTimeoutMs = opts.startTimeoutMs ?? 15000;
  writeDbTextTables(dbDir, users, domain);
  const certs = await makeTestCertificates(join(runDir, 'tls'), domain === LOOPBACK || domain === 'localhost' ? {} : /^[\d.]+$/.test(domain) ? { ips: [domain] } : { dns: [domain] });
  const template = readFileSync(KAMAILIO_CFG_TEMPLATE, 'utf8');

  let port = 0;
  const render = (p: number): void => {
    writeFileSync(
      cfgPath,
      renderTemplate(template, {
        HOST: LOOPBACK,
        UDP_PORT: p,
        TCP_PORT: p,
        TLS_PORT: p + 1,
        DOMAIN: domain,
        RUN_DIR: runDir,
        DB_DIR: dbDir,
        TLS_CERT: certs.certPath,
        TLS_KEY: certs.keyPath,
        MODULES_DIR: `${KAMAILIO_MODULES_DIR}/`,
        MIN_EXPIRES: opts.minExpires ?? 60,
        MAX_EXPIRES: opts.maxExpires ?? 3600,
        DEFAULT_EXPIRES: opts.defaultExpires ?? 3600,
        AUTH_FLAGS: opts.qop === false ? 0 : 1,
        DEBUG: opts.debug ?? 2,
      }),
    );
  };

  let proc: PeerProcess | undefined;

  const launch = async (): Promise<'ok' | 'port-busy'> => {
    const p = spawnPeer({
      name: 'kamailio',
      command: KAMAILIO_BIN,
      args: ['-f', cfgPath, '-DD', '-E', '-w', runDir, '-P', pidPath, '-m', '64', '-M', '8'],
      runDir,
      logPath,
    });
    proc = p;
    const abort = new AbortController();
    const ready = sipOptionsPing(LOOPBACK, port, startTimeoutMs, abort.signal).then(() => 'ready' as const);
    const outcome = await Promise.race([ready, p.exited]).catch((err: unknown) => err as Error);
    abort.abort();
    ready.catch(() => undefined);
    if (outcome === 'ready' && !p.exitStatus()) return 'ok';
    if (outcome instanceof Error) {
      await p.stop();
      throw new Error(`Kamailio did not become ready: ${outcome.message}; log ${logPath}:\n${tail(p.output())}`);
    }
    await p.exited;
    const status = p.exitStatus();
    const text = p.output();
    if (/address already in use/i.test(text)) return 'port-busy';
    throw new Error(`Kamailio exited (${status ? fmtStatus(status) : '?'}) during start; log ${logPath}:\n${tail(text)}`);
  };

  const check = async (): Promise<void> => {
    const r = await runCommand(KAMAILIO_BIN, ['-f', cfgPath, '-c'], { cwd: runDir, timeoutMs: 20000 });
    if (r.code !== 0) throw new Error(`kamailio -c rejected ${cfgPath} (code ${r.code}):\n${tail(r.stderr + r.stdout, 60)}`);
  };

  // First start: pick ports; if someone takes them between probe and bind, pick again.
  for (let attempt = 1; ; attempt++) {
    port = await freeSipPortPair({ nextUdp: false });
    render(port);
    if (attempt === 1) await check();
    const r = await launch();
    if (r === 'ok') break;
    if (attempt >= 5) throw new Error(`Kamailio could not bind free ports after 5 attempts; log ${logPath}`);
  }

  const stopProcess = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (p) await p.stop(5000);
  };

  const start = async (): Promise<void> => {
    if (proc && !proc.exitStatus()) return;
    // Same ports: the old sockets are closed, but retry a little in case the kernel is slow.
    for (let attempt = 1; ; attempt++) {
      const r = await launch();
      if (r === 'ok') return;
      if (attempt >= 10) throw new Error(`Kamailio could not bind its ports again on restart; log ${logPath}`);
      await delay(300);
    }
  };

  const rpc = async (...args: string[]): Promise<string> => {
    const r = await runCommand(KAMCMD_BIN, ['-s', ctlSocket, ...args], { timeoutMs: 10000 });
    if (r.code !== 0 || /^error:/m.test(r.stdout + r.stderr)) {
      throw new Error(`kamcmd ${args.join(' ')} failed (${r.code}): ${(r.stdout + r.stderr).trim()}`);
    }
    return r.stdout;
  };

  return {
    host: LOOPBACK,
    udpPort: port,
    tcpPort: port,
    tlsPort: port + 1,
    domain,
    caPath: certs.caPath,
    certPath: certs.certPath,
    keyPath: certs.keyPath,
    users,
    runDir,
    logPath,
    cfgPath,
    ctlSocket,
    uri: (transport = 'udp') => `sip:${LOOPBACK}:${transport === 'tls' ? port + 1 : port}${transport === 'udp' ? '' : `;transport=${transport}`}`,
    bindings: async (user: string) => {
      const r = await runCommand(KAMCMD_BIN, ['-s', ctlSocket, 'ul.lookup', 'location', `s:${user}`], { timeoutMs: 10000 });
      const text = r.stdout + r.stderr;
      if (/AOR not found/i.test(text)) return [];
      if (r.code !== 0 || /^error:/m.test(text)) throw new Error(`kamcmd ul.lookup location ${user} failed (${r.code}): ${text.trim()}`);
      return parseBindings(r.stdout, user);
    },
    rpc,
    log: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : ''),
    restart: async () => {
      await stopProcess();
      await start();
    },
    stopProcess,
    start,
    stop: stopProcess,
  };
}
