import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialTarget } from './dial-target.js';

test('sip: and sips: URIs are kept whole', () => {
  assert.equal(dialTarget('sip:alice@example.com'), 'sip:alice@example.com');
  assert.equal(dialTarget('sips:bob@example.com:5061;transport=tls'), 'sips:bob@example.com:5061;transport=tls');
  assert.equal(dialTarget('SIP:+1-555@pbx.example.com'), 'sip:+1-555@pbx.example.com');
  assert.equal(dialTarget('  sip:alice@example.com \n'), 'sip:alice@example.com');
  assert.equal(dialTarget('sip://alice@example.com'), 'sip:alice@example.com');
  // A legitimately escaped user part is not decoded (the @ is there as written).
  assert.equal(dialTarget('sip:a%20b@example.com'), 'sip:a%20b@example.com');
});

test('percent-encoded sip: links from browsers are decoded once', () => {
  assert.equal(dialTarget('sip%3Aalice%40example.com'), 'sip:alice@example.com');
  assert.equal(dialTarget('sip:alice%40example.com%3A5080'), 'sip:alice@example.com:5080');
  assert.equal(dialTarget('sips%3a1002%40127.0.0.1'), 'sips:1002@127.0.0.1');
});

test('tel: and callto: links become their number without separators or parameters', () => {
  assert.equal(dialTarget('tel:+1-555-123-4567'), '+15551234567');
  assert.equal(dialTarget('tel:+1%20(555)%20123.4567'), '+15551234567');
  assert.equal(dialTarget('tel:10-02;phone-context=example.com'), '1002');
  assert.equal(dialTarget('TEL:+44 20 7946 0018'), '+442079460018');
  assert.equal(dialTarget('tel%3A%2B1-555-123-4567'), '+15551234567');
  assert.equal(dialTarget('callto:+1 555 123 4567'), '+15551234567');
  assert.equal(dialTarget('callto://alice@example.com'), 'alice@example.com');
  assert.equal(dialTarget('tel:*21#'), '*21#');
});

test('typed numbers, addresses and names', () => {
  assert.equal(dialTarget('+1 (555) 123-4567'), '+15551234567');
  assert.equal(dialTarget('1002'), '1002');
  assert.equal(dialTarget('echo'), 'echo');
  assert.equal(dialTarget('alice@example.com'), 'alice@example.com');
  assert.equal(dialTarget('alice@127.0.0.1:5080'), 'alice@127.0.0.1:5080');
});

test('other schemes and empty links are refused', () => {
  assert.equal(dialTarget(''), undefined);
  assert.equal(dialTarget('tel:'), undefined);
  assert.equal(dialTarget('sip:'), undefined);
  assert.equal(dialTarget('http://example.com/'), undefined);
  assert.equal(dialTarget('javascript:alert(1)'), undefined);
  assert.equal(dialTarget('tel:--'), undefined);
  assert.equal(dialTarget('hello world'), undefined);
});
