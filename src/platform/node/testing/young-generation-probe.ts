// Child process of young-generation.test.ts, started with `--max-semi-space-size=2
// --expose-internals`: with KEEP=1 it calls keepYoungGeneration() first. Then it loads a Node
// built-in, churns the heap, starts a worker (with the options media workers get) that churns
// its own, and prints one JSON line: whether the built-in was compiled from Node's code cache,
// and each young generation's size.
import { createRequire } from 'node:module';
import { getHeapSpaceStatistics } from 'node:v8';
import { keepYoungGeneration, withYoungGeneration, workerYoungGenerationMb } from '../young-generation.js';

const require = createRequire(import.meta.url);
if (process.env.KEEP === '1') keepYoungGeneration();

const { internalBinding } = require('internal/test/binding') as { internalBinding(name: 'builtins'): { getCacheUsage(): Record<string, Iterable<string>> } };
const builtin = 'zlib';
const loadedBefore = Object.values(internalBinding('builtins').getCacheUsage()).some((ids) => [...ids].includes(builtin));
require(`node:${builtin}`);
const usage = internalBinding('builtins').getCacheUsage();

/** Allocates 2 M short-lived objects, keeping some for a while (as calls keep packets). */
function churnedNewSpaceMb(): number {
  const keep: unknown[] = [];
  for (let i = 0; i < 2_000_000; i++) {
    const o = { i, b: new Array(8).fill(i) };
    if (i % 50 === 0) keep.push(o);
    if (keep.length > 20_000) keep.splice(0, 10_000);
  }
  return (getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? NaN) / 2 ** 20;
}

const { Worker } = await import('node:worker_threads');
const worker = new Worker(
  `const { getHeapSpaceStatistics } = require('node:v8'); ${churnedNewSpaceMb.toString()}; require('node:worker_threads').parentPort.postMessage(churnedNewSpaceMb());`,
  withYoungGeneration({ eval: true }),
);
const workerNewSpaceMb = await new Promise<number>((resolve, reject) => {
  worker.once('message', resolve);
  worker.once('error', reject);
});
await worker.terminate();

process.stdout.write(`${JSON.stringify({
  loadedBefore,
  withCache: [...(usage.compiledWithCache ?? [])].includes(builtin),
  withoutCache: [...(usage.compiledWithoutCache ?? [])].includes(builtin),
  newSpaceMb: churnedNewSpaceMb(),
  workerNewSpaceMb,
  workerYoungGenerationMb: workerYoungGenerationMb() ?? null,
})}\n`);
