/**
 * The echo target, end to end through the CLI: `call echo` places a real SIP call over UDP on
 * loopback to the built-in echo service (a second user agent in the same process), which
 * answers and sends back what it hears; what comes back is recorded and judged by content
 * (test/support/audio.ts says which thresholds and why). No external peer is needed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeFigures, readRecording, toneFigures, toneProblems } from '../support/audio.js';
import { runCli } from '../support/cli.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'softphone-echo-'));
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const hz of [440, 1000]) {
  test(`call echo --play tone:${hz}: the recording is our own ${hz} Hz tone (±2 %), ≥ 90 % of the answered time, no gap over 100 ms`, async (t) => {
    const rec = join(dir, `echo-${hz}.wav`);
    const r = await runCli(['call', 'echo', '--play', `tone:${hz}`, '--record', rec, '--duration', '5'], { timeoutMs: 20000 });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^answered: PCMU\/8000$/m);
    const m = /^ended: hung up after (\d+\.\d)s$/m.exec(r.stdout);
    assert.ok(m, r.stdout);
    assert.match(r.stdout, /^stats: PCMU, sent \d+ packets, received \d+, lost 0 /m);
    const f = toneFigures(readRecording(rec), Number(m[1]) * 1000);
    t.diagnostic(describeFigures(f));
    // The lead-in is a round trip: our first packet, the echo's playout delay, its packet back
    // and our playout delay.
    const problem = toneProblems(f, { hz, answeredMs: Number(m[1]) * 1000, maxLeadMs: 400 });
    assert.equal(problem, undefined, `${rec}: ${problem}`);
  });
}
