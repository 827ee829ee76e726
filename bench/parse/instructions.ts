/**
 * Driver for counting machine instructions per parse under callgrind, which is repeatable on a
 * shared, noisy machine where wall-clock figures move by 2x:
 *
 *   npx esbuild bench/parse/instructions.ts --bundle --platform=node --format=esm --outfile=/tmp/parse-instr.mjs
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null node --single-threaded /tmp/parse-instr.mjs 0 2000 bytes
 *   valgrind ... (same with 12000)
 *
 * Arguments: corpus index (or "all"), iterations, "bytes" or "string". The first run's total
 * is subtracted from the second's and divided by the difference in iterations, which cancels
 * start-up, module loading and JIT warm-up (a fixed 3000-iteration warm-up runs first either way).
 */
import { parseMessage } from '../../src/sip/parser.js';
import { CORPUS } from './corpus.js';

const [which = 'all', itersArg = '1000', mode = 'bytes'] = process.argv.slice(2);
const iters = Number(itersArg);
const enc = new TextEncoder();
const inputs: (Uint8Array | string)[] = (which === 'all' ? CORPUS : [CORPUS[Number(which)]!])
  .map((c) => (mode === 'string' ? c.text : enc.encode(c.text)));

let sink = 0;
const run = (n: number): void => {
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < inputs.length; i++) if (parseMessage(inputs[i]!).ok) sink++;
  }
};
run(3000);
run(iters);
if (sink !== (3000 + iters) * inputs.length) throw new Error('a corpus message failed to parse');
