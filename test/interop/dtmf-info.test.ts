/**
 * DTMF by SIP INFO (application/dtmf-relay), end to end through the CLI: `call --dtmf-mode
 * info` sends each digit as an INFO in the dialog; `listen` prints the digits it receives.
 * (RFC 4733 in both directions is covered against baresip in calls-baresip.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startCli } from '../support/cli.js';

test('DTMF by SIP INFO: digits sent with --dtmf-mode info are received, in order, as SIP INFO', async () => {
  const listen = startCli(['listen', '--auto-answer', '--max-calls', '1', '--play', 'tone:1000']);
  try {
    const line = await listen.waitForLine(/^listening on (sip:\S+)/);
    const uri = /^listening on (sip:\S+)/.exec(line)![1]!;
    const call = await runCli(['call', uri, '--play', 'tone:440', '--dtmf-mode', 'info', '--dtmf', '5#9', '--duration', '3']);
    assert.equal(call.code, 0, call.stderr);
    assert.match(call.stdout, /dtmf sent: 5#9/);
    const r = await listen.exited;
    const got = [...r.stdout.matchAll(/dtmf received: (\S) \((SIP INFO|RFC 4733)\)/g)].map((m) => `${m[1]}:${m[2]}`);
    assert.deepEqual(got, ['5:SIP INFO', '#:SIP INFO', '9:SIP INFO']);
  } finally {
    await listen.interrupt();
  }
});
