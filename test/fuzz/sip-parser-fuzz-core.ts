/**
 * Mutation fuzzing of parseMessage: seeds are the benchmark corpus and the RFC 4475-style
 * vectors; each case stacks one to four mutations (bit flips, byte insert/delete, header line
 * splices and duplications, truncation, huge values, delimiter storms, random bytes). A case
 * fails when parseMessage throws or reports `internal-error`, or when serialising what it
 * accepted throws. Time per parse is recorded for the report (never asserted here).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseMessage } from '../../src/sip/parser.js';
import { serializeMessage } from '../../src/sip/serializer.js';
import { CORPUS } from '../../bench/parse/corpus.js';

export interface FuzzStats {
  count: number;
  seed: number;
  parsedOk: number;
  errorsByCode: Record<string, number>;
  failures: { input: Uint8Array; what: string }[];
  /** Slowest parse as first measured: includes GC and JIT pauses that hit during it. */
  rawMaxMs: number;
  /** Slowest parse with every case above 0.5 ms re-timed (best of 3): the parser's own cost. */
  maxMs: number;
  p999Ms: number;
  p99Ms: number;
  meanMs: number;
  slowest: Uint8Array | undefined;
  /** The inputs that took longest (kept for re-timing outside the run). */
  slowInputs: { ms: number; input: Uint8Array | string }[];
}

/** mulberry32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedCorpus(): Uint8Array[] {
  const enc = new TextEncoder();
  const seeds = CORPUS.map((c) => enc.encode(c.text));
  const dir = new URL('../vectors/rfc4475/', import.meta.url);
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.sip')) seeds.push(new Uint8Array(readFileSync(new URL(f, dir))));
  return seeds;
}

const enc = new TextEncoder();
const NASTY = [';', ',', '<', '>', '"', '\\', '\r\n ', '\r\n', '\n', ':', '%', '%%', '%0', '[', ']', '\0', '@', '?', '=', ' ', '\t',
  'sip:', 'SIP/2.0', 'SIP/3.0', '\r\n\r\n', ';rport', ';branch=', ';tag=', 'Content-Length: 99999\r\n', 'l: -1\r\n',
  'Via: SIP/2.0/UDP [::1\r\n', 'Contact: *\r\n', '"\\', '\xff\xfe', 'CSeq: 99999999999 INVITE\r\n'].map((s) => enc.encode(s));

function lines(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 10) {
      out.push(b.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < b.length) out.push(b.subarray(start));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function mutate(input: Uint8Array, seeds: Uint8Array[], r: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(r() * n);
  let b = input;
  const at = (): number => pick(b.length + 1);
  switch (pick(11)) {
    case 0: { // bit flips
      b = b.slice();
      const n = 1 + pick(8);
      for (let i = 0; i < n && b.length > 0; i++) b[pick(b.length)]! ^= 1 << pick(8);
      return b;
    }
    case 1: { // insert random bytes
      const p = at();
      const ins = new Uint8Array(1 + pick(8)).map(() => pick(256));
      return concat([b.subarray(0, p), ins, b.subarray(p)]);
    }
    case 2: { // delete bytes
      const p = at();
      return concat([b.subarray(0, p), b.subarray(Math.min(b.length, p + 1 + pick(16)))]);
    }
    case 3: { // splice a header line from another seed
      const ls = lines(b);
      const other = lines(seeds[pick(seeds.length)]!);
      const line = other[1 + pick(Math.max(1, other.length - 1))] ?? other[0]!;
      ls.splice(1 + pick(ls.length), 0, line);
      return concat(ls);
    }
    case 4: { // duplicate, drop or swap lines
      const ls = lines(b);
      if (ls.length < 2) return b;
      const i = pick(ls.length), j = pick(ls.length);
      const k = pick(3);
      if (k === 0) ls.splice(i, 0, ls[j]!);
      else if (k === 1) ls.splice(i, 1);
      else [ls[i], ls[j]] = [ls[j]!, ls[i]!];
      return concat(ls);
    }
    case 5: // truncation
      return b.subarray(0, pick(b.length + 1));
    case 6: { // huge value: a long run of one character (often past the size limit)
      const p = at();
      const run = new Uint8Array(pick(4) === 0 ? 70000 : 1 + pick(5000)).fill(NASTY[pick(NASTY.length)]![0] ?? 0x61);
      return concat([b.subarray(0, p), run, b.subarray(p)]);
    }
    case 7: { // delimiter storm
      const p = at();
      const parts = [b.subarray(0, p)];
      const n = 1 + pick(20);
      for (let i = 0; i < n; i++) parts.push(NASTY[pick(NASTY.length)]!);
      parts.push(b.subarray(p));
      return concat(parts);
    }
    case 8: { // replace a run of digits with a huge number
      const s = Array.from(b.subarray(0, Math.min(b.length, 4096)));
      const starts = s.flatMap((c, i) => (c >= 0x30 && c <= 0x39 && !(s[i - 1]! >= 0x30 && s[i - 1]! <= 0x39) ? [i] : []));
      if (starts.length === 0) return b;
      const p = starts[pick(starts.length)]!;
      let e = p;
      while (e < b.length && b[e]! >= 0x30 && b[e]! <= 0x39) e++;
      return concat([b.subarray(0, p), enc.encode(['99999999999999999999', '4294967296', '-1', '65536', '256', '0'][pick(6)]!), b.subarray(e)]);
    }
    case 9: // random bytes
      return new Uint8Array(pick(600)).map(() => pick(256));
    default: { // cross-over of two seeds
      const o = seeds[pick(seeds.length)]!;
      return concat([b.subarray(0, at()), o.subarray(pick(o.length + 1))]);
    }
  }
}

export function runFuzz(count: number, seed: number, onProgress?: (done: number) => void): FuzzStats {
  const seeds = seedCorpus();
  const r = rng(seed);
  const times = new Float64Array(count);
  const stats: FuzzStats = { count, seed, parsedOk: 0, errorsByCode: {}, failures: [], rawMaxMs: 0, maxMs: 0, p999Ms: 0, p99Ms: 0, meanMs: 0, slowest: undefined, slowInputs: [] };
  const dec = new TextDecoder('latin1');
  for (let n = 0; n < count; n++) {
    let input = seeds[Math.floor(r() * seeds.length)]!;
    const k = 1 + Math.floor(r() * 4);
    for (let i = 0; i < k; i++) input = mutate(input, seeds, r);
    // Mostly bytes, as from a socket; sometimes a string (as from a WebSocket text frame).
    const asString = r() < 0.1;
    const arg: Uint8Array | string = asString ? dec.decode(input) : input;
    const t0 = performance.now();
    let result: ReturnType<typeof parseMessage>;
    try {
      result = parseMessage(arg);
    } catch (e) {
      stats.failures.push({ input, what: `threw: ${String(e)}` });
      continue;
    }
    let dt = performance.now() - t0;
    if (dt > stats.rawMaxMs) stats.rawMaxMs = dt;
    if (dt > 0.5) {
      // A pause of the collector (the mutators allocate up to 70 kB per case) or of the
      // compiler lands inside some parses; re-time those to see the parser's own cost.
      for (let k = 0; k < 3; k++) {
        const t1 = performance.now();
        parseMessage(arg);
        dt = Math.min(dt, performance.now() - t1);
      }
      if (dt > 0.5) stats.slowInputs.push({ ms: dt, input: arg });
    }
    times[n] = dt;
    if (dt > stats.maxMs) {
      stats.maxMs = dt;
      stats.slowest = input;
    }
    if (result.ok) {
      stats.parsedOk++;
      try {
        serializeMessage(result.value);
      } catch (e) {
        stats.failures.push({ input, what: `serialising the parsed message threw: ${String(e)}` });
      }
    } else {
      const code = result.error.code;
      stats.errorsByCode[code] = (stats.errorsByCode[code] ?? 0) + 1;
      if (code === 'internal-error') stats.failures.push({ input, what: result.error.message });
    }
    if (onProgress && (n + 1) % 100000 === 0) onProgress(n + 1);
  }
  const sorted = times.slice().sort();
  stats.p999Ms = sorted[Math.min(count - 1, Math.floor(count * 0.999))] ?? 0;
  stats.p99Ms = sorted[Math.min(count - 1, Math.floor(count * 0.99))] ?? 0;
  stats.meanMs = count > 0 ? times.reduce((a, b) => a + b, 0) / count : 0;
  return stats;
}

export function describe(s: FuzzStats): string {
  return [
    `fuzzed ${s.count.toLocaleString('en-US')} mutated messages (seed ${s.seed}): ${s.parsedOk.toLocaleString('en-US')} parsed, rejected by code ${JSON.stringify(s.errorsByCode)}`,
    `failures (throws / internal errors): ${s.failures.length}`,
    `time per parse: max ${s.maxMs.toFixed(3)} ms (first measurement max ${s.rawMaxMs.toFixed(3)} ms incl. GC/JIT pauses), p99.9 ${s.p999Ms.toFixed(4)} ms, p99 ${s.p99Ms.toFixed(4)} ms, mean ${s.meanMs.toFixed(4)} ms`,
  ].join('\n');
}
