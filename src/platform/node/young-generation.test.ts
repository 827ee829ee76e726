import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const PROBE = fileURLToPath(new URL('./testing/young-generation-probe.ts', import.meta.url));

interface Probe {
  loadedBefore: boolean;
  withCache: boolean;
  withoutCache: boolean;
  newSpaceMb: number;
  workerNewSpaceMb: number;
  workerYoungGenerationMb: number | null;
}

/** Runs the probe as the bin runs the engine: with its `#!` line's V8 flag. */
function probe(keep: boolean): Probe {
  const r = spawnSync(process.execPath, ['--max-semi-space-size=2', '--expose-internals', '--no-warnings', '--import', 'tsx', PROBE], {
    env: { ...process.env, KEEP: keep ? '1' : '0' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as Probe;
}

describe('keepYoungGeneration (the engine started with --max-semi-space-size=2)', () => {
  it('without it, the V8 flag makes Node compile its built-ins without their code cache (the cost it removes)', () => {
    const p = probe(false);
    assert.equal(p.loadedBefore, false, 'the probe must load a built-in not loaded yet');
    assert.deepEqual([p.withCache, p.withoutCache], [false, true]);
    assert.ok(p.newSpaceMb <= 4, `new space ${p.newSpaceMb} MB`);
    assert.equal(p.workerYoungGenerationMb, null);
  });

  it('with it, built-ins load from the code cache, and the young generation stays at 2 MB semi-spaces in the main thread and in workers', () => {
    const p = probe(true);
    assert.equal(p.loadedBefore, false);
    assert.deepEqual([p.withCache, p.withoutCache], [true, false]);
    // Two semi-spaces of 2 MB, after 2 M allocations that grow an unlimited one to 2 × 16 MB.
    assert.ok(p.newSpaceMb <= 4, `main thread new space ${p.newSpaceMb} MB`);
    assert.equal(p.workerYoungGenerationMb, 6);
    assert.ok(p.workerNewSpaceMb <= 4, `worker new space ${p.workerNewSpaceMb} MB`);
  });
});
