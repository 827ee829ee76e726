import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactCredentials } from './trace.js';

test('traces never carry credentials: Authorization and Proxy-Authorization values are redacted, folded lines too', () => {
  const msg = [
    'REGISTER sip:example.com SIP/2.0',
    'Authorization: Digest username="alice", realm="example.com", nonce="abc",',
    '  uri="sip:example.com", response="0123456789abcdef0123456789abcdef"',
    'proxy-authorization : Digest username="alice", response="ffff"',
    'Contact: <sip:alice@192.0.2.1>',
    '',
    '',
  ].join('\r\n');
  const out = redactCredentials(msg);
  assert.doesNotMatch(out, /response=|username=|0123456789abcdef/);
  assert.match(out, /^Authorization: \[redacted\]\r$/m);
  assert.match(out, /^proxy-authorization : \[redacted\]\r$/m);
  assert.match(out, /Contact: <sip:alice@192.0.2.1>/);
  assert.match(out, /^REGISTER sip:example.com SIP\/2.0/);
});
