/**
 * npm run fuzz [-- --count=1000000 --seed=1]   (or FUZZ_COUNT / FUZZ_SEED)
 * Feeds mutated SIP messages to parseMessage; exits non-zero when any case throws or reports
 * an internal error, printing the input. Prints the max and p99.9 time per parse.
 */
import { describe, runFuzz } from './sip-parser-fuzz-core.js';

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const count = Number(arg('count') ?? process.env.FUZZ_COUNT ?? 1_000_000);
const seed = Number(arg('seed') ?? process.env.FUZZ_SEED ?? 1);

const t0 = performance.now();
const stats = runFuzz(count, seed, (done) => process.stdout.write(`  ${done.toLocaleString('en-US')} / ${count.toLocaleString('en-US')}\r`));
console.log(describe(stats));
console.log(`wall time ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (stats.slowest) console.log(`slowest input: ${stats.slowest.length} bytes, starting ${JSON.stringify(new TextDecoder().decode(stats.slowest.subarray(0, 60)))}`);
for (const f of stats.failures.slice(0, 5)) {
  console.log(`FAILURE: ${f.what}\n  input (base64): ${btoa(String.fromCharCode(...f.input.subarray(0, 4000)))}`);
}
process.exit(stats.failures.length === 0 ? 0 : 1);
