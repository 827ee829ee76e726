/**
 * Messages parsed per second: our parser (src/sip/parser.ts) against the parsers inside sip.js
 * (`Core.Parser.parseMessage`, pegjs grammar) and JsSIP (`lib/Parser.js` over its pegjs
 * Grammar), in the same process, on the corpus of corpus.ts.
 *
 * Fairness: the stack needs every Via, From, To, Call-ID, CSeq, Contact, Max-Forwards,
 * Content-Length, Route / Record-Route and the auth headers as typed values. Both competitors
 * parse From, To, Call-ID, CSeq, Contact, Record-Route, Max-Forwards, Content-Length,
 * Content-Type and WWW-/Proxy-Authenticate eagerly, but only the FIRST Via and never Route or
 * Authorization. So after their parseMessage this harness also parses the remaining Vias
 * (their own `parseHeader('via', i)`) and Route (JsSIP's `Route` rule; sip.js has none, so its
 * `Record_Route` rule, which has the same grammar). Neither has a grammar rule for
 * credentials (Authorization), so theirs stays unparsed while ours is parsed: that only
 * handicaps us. Competitors get the message as a string (already decoded); ours is timed
 * both from bytes (decoding included, as from a socket) and from a string.
 *
 * Usage: npm run bench:parse [-- --seconds=2]
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { Core, Grammar } from 'sip.js';
import { parseMessage } from '../../src/sip/parser.js';
import { CORPUS } from './corpus.js';

const require = createRequire(import.meta.url);
interface JsSipMessage {
  headers: Record<string, { raw: string; parsed?: unknown }[]>;
  parseHeader(name: string, idx?: number): unknown;
  countHeader(name: string): number;
}
const JsSIPParser = require('jssip/lib/Parser.js') as { parseMessage(data: string, ua: unknown): JsSipMessage | undefined };
const JsSIPGrammar = require('jssip/lib/Grammar.js') as { parse(input: string, rule: string): unknown };

const argSeconds = process.argv.find((a) => a.startsWith('--seconds='));
const SECONDS = argSeconds ? Number(argSeconds.split('=')[1]) : 3;

const silent = { log() {}, warn() {}, error() {}, debug() {} };
const texts = CORPUS.map((c) => c.text);
const encoder = new TextEncoder();
const bytes = CORPUS.map((c) => encoder.encode(c.text));

type SipJsMessage = {
  headers: Record<string, { raw: string; parsed?: unknown }[]>;
  parseHeader(name: string, idx?: number): unknown;
};

/** sip.js, plus the headers it leaves unparsed that the stack needs. */
function sipJsFull(text: string): unknown {
  const m = Core.Parser.parseMessage(text, silent as never) as unknown as SipJsMessage | undefined;
  if (!m) return undefined;
  const vias = m.headers.Via ?? [];
  for (let i = 1; i < vias.length; i++) if (m.parseHeader('via', i) === undefined) return undefined;
  for (const r of m.headers.Route ?? []) if (Grammar.parse(r.raw, 'Record_Route') === -1) return undefined;
  return m;
}

/** JsSIP, plus the headers it leaves unparsed that the stack needs. */
function jsSipFull(text: string): unknown {
  const m = JsSIPParser.parseMessage(text, {});
  if (!m) return undefined;
  const vias = m.headers.Via ?? [];
  for (let i = 1; i < vias.length; i++) if (m.parseHeader('via', i) === undefined) return undefined;
  for (const r of m.headers.Route ?? []) if (JsSIPGrammar.parse(r.raw, 'Route') === -1) return undefined;
  return m;
}

const oursBytes = (i: number): unknown => { const r = parseMessage(bytes[i]!); return r.ok ? r.value : undefined; };
const oursString = (i: number): unknown => { const r = parseMessage(texts[i]!); return r.ok ? r.value : undefined; };
const sipJs = (i: number): unknown => sipJsFull(texts[i]!);
const jsSip = (i: number): unknown => jsSipFull(texts[i]!);

// Every parser must accept every corpus message, or the comparison means nothing.
for (const [name, fn] of [['ours', oursBytes], ['sip.js', sipJs], ['jssip', jsSip]] as const) {
  CORPUS.forEach((c, i) => {
    if (fn(i) === undefined) throw new Error(`${name} failed to parse ${c.name}`);
  });
}

/** Messages per second over `seconds`, cycling the corpus (or one message when `only` set). */
function measure(fn: (i: number) => unknown, seconds: number, only?: number): number {
  let n = 0;
  let sink = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let now = t0;
  while (now < deadline) {
    for (let k = 0; k < 50; k++) {
      if (only === undefined) {
        for (let i = 0; i < texts.length; i++) if (fn(i) !== undefined) sink++;
        n += texts.length;
      } else {
        if (fn(only) !== undefined) sink++;
        n++;
      }
    }
    now = performance.now();
  }
  if (sink !== n) throw new Error('a parse failed during the run');
  return n / ((now - t0) / 1000);
}

/**
 * Best msgs/s of each contender over `rounds` rounds, the contenders interleaved within each
 * round so that a change in machine load hits all of them alike (the machine is shared).
 */
function interleaved(fns: ((i: number) => unknown)[], rounds: number, only?: number): number[] {
  for (const fn of fns) measure(fn, 0.3, only); // warm-up (JIT)
  const best = fns.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, k) => {
      best[k] = Math.max(best[k]!, measure(fn, SECONDS / rounds, only));
    });
  }
  return best;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const contenders: [string, (i: number) => unknown][] = [
  ['softphone (bytes in)', oursBytes],
  ['softphone (string in)', oursString],
  ['JsSIP 3 (Parser + Grammar)', jsSip],
  ['sip.js 0.21 (Core.Parser)', sipJs],
];

console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} (${os.cpus().length} cpus), ${os.platform()} ${os.arch()}`);
console.log(`corpus: ${CORPUS.map((c) => `${c.name} (${bytes[CORPUS.indexOf(c)]!.length} B)`).join(', ')}`);
const ROUNDS = 5;
console.log(`each figure: best of ${ROUNDS} runs of ${(SECONDS / ROUNDS).toFixed(2)} s after a warm-up, contenders interleaved\n`);

const results = new Map<string, number>();
interleaved(contenders.map((c) => c[1]), ROUNDS).forEach((v, k) => results.set(contenders[k]![0], v));
const fastestCompetitor = Math.max(results.get('JsSIP 3 (Parser + Grammar)')!, results.get('sip.js 0.21 (Core.Parser)')!);
console.log('| parser | msgs/s (mixed corpus) | vs fastest competitor |');
console.log('|---|---:|---:|');
for (const [name, v] of results) console.log(`| ${name} | ${fmt(v)} | ${(v / fastestCompetitor).toFixed(1)}x |`);

console.log('\nper message type (msgs/s):\n');
console.log(`| message | ${contenders.map((c) => c[0]).join(' | ')} |`);
console.log(`|---|${contenders.map(() => '---:').join('|')}|`);
CORPUS.forEach((c, i) => {
  const row = interleaved(contenders.map((c) => c[1]), 3, i).map(fmt);
  console.log(`| ${c.name} | ${row.join(' | ')} |`);
});
const oursMin = Math.min(results.get('softphone (bytes in)')!, results.get('softphone (string in)')!);
console.log(`\nratio (slower of our two inputs / faster competitor): ${(oursMin / fastestCompetitor).toFixed(1)}x`);
