// Proves the baresip harness: baresip 1.0 starts with a generated config, registers to the
// harness Kamailio (binding visible through kamcmd), takes ctrl_tcp commands, and two of them
// can call each other through Kamailio with DTMF (RFC 4733) and hang up, which is what the
// call tests of the next milestone build on.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { netstring, parseNetstrings, startBaresip } from './baresip.js';
import type { Baresip } from './baresip.js';
import { startKamailio } from './kamailio.js';
import type { Kamailio } from './kamailio.js';
import { skipUnless } from './peers.js';
import { waitFor } from './process.js';

test('netstrings: encode and split, keeping an incomplete tail', () => {
  assert.equal(netstring('{"a":1}').toString(), '7:{"a":1},');
  const { messages, rest } = parseNetstrings(Buffer.from('2:ab,3:xyz,5:he'));
  assert.deepEqual(messages, ['ab', 'xyz']);
  assert.equal(rest.toString(), '5:he');
});

describe('baresip harness (with Kamailio)', { skip: skipUnless('kamailio', 'baresip') }, () => {
  let kam: Kamailio;
  const phones: Baresip[] = [];
  before(async () => {
    kam = await startKamailio();
  });
  after(async () => {
    for (const p of phones) await p.stop();
    await kam?.stop();
  });

  test('starts, registers 1002 to Kamailio (binding visible), answers ctrl_tcp commands', async () => {
    const b = await startBaresip({ user: '1002', password: kam.users['1002'], registrar: kam });
    phones.push(b);
    await b.waitRegistered(5000);
    const bindings = await waitFor('binding of 1002', async () => {
      const list = await kam.bindings('1002');
      return list.length ? list : undefined;
    }, 5000);
    assert.equal(bindings.length, 1);
    assert.match(bindings[0]?.userAgent ?? '', /^baresip v1\.0/);
    assert.match(bindings[0]?.contact ?? '', new RegExp(`@127\\.0\\.0\\.1:${b.sipPort}`));

    const reg = await b.command('reginfo');
    assert.equal(reg.ok, true);
    assert.match(reg.data, /sip:1002@127\.0\.0\.1.*OK/);
    const bad = await b.command('nosuchcommand');
    assert.equal(bad.ok, false);
    assert.match(bad.data, /command not found/);
  });

  test('two baresips call each other through Kamailio: dial, accept, DTMF, hangup, recording', async () => {
    const a = await startBaresip({ user: '1003', password: kam.users['1003'], registrar: kam, record: true });
    phones.push(a);
    const b = await startBaresip({ user: '1004', password: kam.users['1004'], registrar: kam, answermode: 'manual' });
    phones.push(b);
    await a.waitRegistered(5000);
    await b.waitRegistered(5000);

    assert.equal((await a.command('dial', 'sip:1004@127.0.0.1')).ok, true);
    const incoming = await b.waitForEvent('CALL_INCOMING', 5000);
    assert.equal(incoming.peeruri, 'sip:1003@127.0.0.1');
    assert.equal((await b.command('accept')).ok, true);
    await a.waitForEvent('CALL_ESTABLISHED', 5000);
    await b.waitForEvent('CALL_ESTABLISHED', 5000);
    await a.waitForEvent('CALL_RTPESTAB', 5000);

    assert.equal((await a.command('sndcode', '5')).ok, true);
    const dtmf = await b.waitForEvent('CALL_DTMF_START', 5000);
    assert.equal(dtmf.param, '5');
    await b.waitForEvent('CALL_DTMF_END', 5000);

    assert.equal((await b.command('hangup')).ok, true);
    await b.waitForEvent('CALL_CLOSED', 5000);
    const closed = await a.waitForEvent('CALL_CLOSED', 5000);
    assert.equal(closed.direction, 'outgoing');

    const recs = a.recordings();
    assert.equal(recs.length, 2, recs.join(', '));
    for (const f of recs) assert.ok(existsSync(f) && statSync(f).size > 44, `${f} has audio`);
  });
});
