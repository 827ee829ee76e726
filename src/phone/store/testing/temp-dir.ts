/** Test helpers: a fresh temporary profile directory per test, removed afterwards, and a clock. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** A new empty directory under the OS temp dir, deleted when the test ends. */
export function tempDir(t: TestContext, prefix = 'softphone-store-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A clock that advances by one second at each read, for deterministic created/updated times. */
export function steppingClock(start = Date.UTC(2025, 0, 1)): () => number {
  let t = start;
  return () => (t += 1000);
}
