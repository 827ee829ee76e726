// The engine's small young generation (`--max-semi-space-size=2` on the bin's `#!` line), kept
// without giving up Node's code cache for its built-in modules (docs/decisions.md).
import { setFlagsFromString } from 'node:v8';

/** The semi-space cap (MB) this process was started with, once `keepYoungGeneration` ran. */
let semiSpaceMb: number | undefined;

/**
 * Call first, before any other import loads a Node built-in.
 *
 * V8 sizes the heap once, when the isolate is created, from `--max-semi-space-size`. But every
 * V8 flag that differs from its default also changes the flag hash that V8 checks code caches
 * against, so Node refuses the code cache embedded for its own modules and compiles each from
 * source: 20–30 ms more to start the engine here, and about 15 % of the time to the first
 * REGISTER. Setting the flag back to its default once the heap exists restores the hash and
 * leaves the heap as it was (`young-generation.test.ts` checks both).
 *
 * Worker threads get their heap from the flags when they start; `workerYoungGenerationMb` gives
 * them the same limit explicitly.
 *
 * node:v8 itself loads node:stream (about 10 ms without the cache, before the reset). The one
 * way around it, `process.binding('v8')`, prints a deprecation warning (DEP0111) at every start.
 */
export function keepYoungGeneration(execArgv: readonly string[] = process.execArgv): void {
  for (const a of execArgv) {
    const m = /^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(a);
    if (m) semiSpaceMb = Number(m[1]) || undefined;
  }
  if (semiSpaceMb !== undefined) setFlagsFromString('--max-semi-space-size=0');
}

/**
 * `resourceLimits.maxYoungGenerationSizeMb` for a worker, to match the main thread: V8's young
 * generation is three semi-spaces (two, and the large-object space beside them).
 */
export function workerYoungGenerationMb(): number | undefined {
  return semiSpaceMb === undefined ? undefined : 3 * semiSpaceMb;
}

/** A worker's options, with the main thread's young generation as its limit when it has one. */
export function withYoungGeneration<T extends object>(options: T): T & { resourceLimits?: { maxYoungGenerationSizeMb: number } } {
  const mb = workerYoungGenerationMb();
  return mb === undefined ? options : { ...options, resourceLimits: { maxYoungGenerationSizeMb: mb } };
}
