import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLineInstanceId } from './instance-id.js';

describe('commandLineInstanceId (RFC 5626 §4.1)', () => {
  it('is an RFC 4122 name-based (SHA-1, version 5) UUID URN', () => {
    assert.match(commandLineInstanceId('sip:alice@example.com', 'm1'), /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('is the same for the same machine, user and AOR, run after run', () => {
    assert.equal(commandLineInstanceId('sip:alice@example.com', 'm1'), commandLineInstanceId('sip:alice@example.com', 'm1'));
    assert.equal(commandLineInstanceId('sip:alice@example.com'), commandLineInstanceId('sip:alice@example.com'));
  });

  it('differs from one AOR to another and from one machine to another', () => {
    const ids = new Set([commandLineInstanceId('sip:alice@example.com', 'm1'), commandLineInstanceId('sip:bob@example.com', 'm1'), commandLineInstanceId('sip:alice@example.com', 'm2')]);
    assert.equal(ids.size, 3);
  });
});
