import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalHeaderName, splitCommaList } from './message.js';

test('RFC 3261 §7.3.3: compact header names map to their long forms', () => {
  assert.equal(canonicalHeaderName('i'), 'call-id');
  assert.equal(canonicalHeaderName('V'), 'via');
  assert.equal(canonicalHeaderName('Content-Length'), 'content-length');
});

test('RFC 3261 §7.3.1: comma lists split outside quotes and angle brackets', () => {
  assert.deepEqual(splitCommaList('"a,b" <sip:x@y;p=1,2>, <sip:z>'), ['"a,b" <sip:x@y;p=1,2>', '<sip:z>']);
  assert.deepEqual(splitCommaList('INVITE, ACK ,BYE'), ['INVITE', 'ACK', 'BYE']);
});
