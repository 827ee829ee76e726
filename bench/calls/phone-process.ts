/**
 * One softphone process of the call benchmark (bench/calls/calls.bench.ts forks it): a Phone
 * on 127.0.0.1 that answers every call at once, or dials calls when told, sending a tone and
 * keeping nothing it hears. Driven over the IPC channel:
 *
 *   → { op: 'dial', target, count, rate }          ← { op: 'dialed', established, failed, setupMs[] }
 *   → { op: 'stats' }                               ← { op: 'stats', calls, totals }
 *   → { op: 'hangup' }                              ← { op: 'hungup' }
 *   at start                                        ← { op: 'ready', uri, registered }
 *
 * argv[2] is a JSON PhoneProcessConfig.
 */
import { createNodePhone } from '../../src/main/node.js';
import { ToneSource } from '../../src/media/audio-source.js';
import type { MediaStreamStats } from '../../src/media/call-stats.js';
import type { Call } from '../../src/phone/call.js';
import { parseUri } from '../../src/sip/uri.js';
import type { SipUri } from '../../src/sip/message.js';

export interface PhoneProcessConfig {
  tone: number;
  mediaWorkers: number;
  rtpPorts: { min: number; max: number };
  sipPort?: number;
  /** Register at a registrar (Kamailio) as this user. */
  account?: { user: string; password: string; registrarPort: number };
}

export interface StatsTotals {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  packetsLate: number;
  concealedFrames: number;
  playedFrames: number;
}

const config = JSON.parse(process.argv[2] ?? '{}') as PhoneProcessConfig;
const send = (m: unknown): void => void process.send?.(m);
const sip = (text: string): SipUri => {
  const r = parseUri(text);
  if (!r.ok) throw new Error(`bad uri ${text}`);
  return r.value as SipUri;
};

const acc = config.account;
const phone = await createNodePhone({
  bindAddress: '127.0.0.1',
  sipPort: config.sipPort ?? 0,
  transports: ['udp'],
  rtpPorts: config.rtpPorts,
  mediaWorkers: config.mediaWorkers,
  codecs: ['PCMU'],
  audio: () => ({ source: (f) => new ToneSource(f, { frequency: config.tone, amplitude: 0.3 }) }),
  ...(acc
    ? {
        account: { aor: sip(`sip:${acc.user}@127.0.0.1`), register: true, expires: 3600 },
        credentials: [{ username: acc.user, password: acc.password }],
        outboundProxy: sip(`sip:127.0.0.1:${acc.registrarPort}`),
      }
    : {}),
});
const calls = new Set<Call>();
phone.on('incoming', (call) => {
  calls.add(call);
  call.once('ended', () => calls.delete(call));
  call.answer();
});
let registered = false;
if (acc) registered = (await phone.register()).state === 'registered';
const port = phone.ua.contactUri('bench', 'udp').port;
send({ op: 'ready', uri: `sip:bench@127.0.0.1:${port}`, registered });

function totals(): { calls: number; totals: StatsTotals } {
  const t: StatsTotals = { packetsSent: 0, packetsReceived: 0, packetsLost: 0, packetsLate: 0, concealedFrames: 0, playedFrames: 0 };
  let n = 0;
  for (const c of calls) {
    const s: MediaStreamStats | undefined = c.stats();
    if (!s || c.state !== 'established') continue;
    n++;
    t.packetsSent += s.packetsSent;
    t.packetsReceived += s.packetsReceived;
    t.packetsLost += Math.max(0, s.packetsLost);
    t.packetsLate += s.packetsLate;
    t.concealedFrames += s.concealedFrames;
    t.playedFrames += s.playedFrames;
  }
  return { calls: n, totals: t };
}

async function dial(target: string, count: number, rate: number): Promise<void> {
  const setupMs: number[] = [];
  const waits: Promise<void>[] = [];
  const gap = 1000 / rate;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const due = t0 + i * gap;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const start = performance.now();
    const call = await phone.dial(target);
    calls.add(call);
    waits.push(
      new Promise<void>((resolve) => {
        const done = (ok: boolean) => {
          if (ok) setupMs.push(performance.now() - start);
          resolve();
        };
        call.on('state', (e) => {
          if (e.state === 'established') done(true);
        });
        call.once('ended', () => {
          calls.delete(call);
          if (call.answeredAt === undefined) done(false);
        });
      }),
    );
  }
  // Bounded: a call that is neither answered nor failed after 30 s counts as failed.
  await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 30000))]);
  send({ op: 'dialed', established: setupMs.length, failed: count - setupMs.length, setupMs });
}

/** One call after another: dial, wait for the answer, hang up, wait for the end. */
async function sequential(target: string, count: number): Promise<void> {
  const setupMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const call = await phone.dial(target);
    const ok = await Promise.race([
      new Promise<boolean>((resolve) => {
        call.on('state', (e) => e.state === 'established' && resolve(true));
        call.once('ended', () => resolve(false));
      }),
      new Promise<boolean>((r) => setTimeout(() => r(false), 5000)),
    ]);
    if (ok) setupMs.push(performance.now() - start);
    await call.hangup();
    await Promise.race([call.settled(), new Promise((r) => setTimeout(r, 2000))]);
    await new Promise((r) => setTimeout(r, 50));
  }
  send({ op: 'dialed', established: setupMs.length, failed: count - setupMs.length, setupMs });
}

process.on('message', (m: { op: string; target?: string; count?: number; rate?: number; sequential?: boolean }) => {
  switch (m.op) {
    case 'dial':
      void (m.sequential ? sequential(m.target!, m.count!) : dial(m.target!, m.count!, m.rate ?? 100));
      return;
    case 'stats':
      send({ op: 'stats', ...totals() });
      return;
    case 'hangup':
      void Promise.all([...calls].map((c) => c.hangup().catch(() => undefined))).then(() => send({ op: 'hungup' }));
      return;
    case 'exit':
      void phone.close(2000).finally(() => process.exit(0));
      return;
  }
});
process.on('disconnect', () => process.exit(0));
