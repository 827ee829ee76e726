// The dial pad's cleaning of typed and pasted numbers, and sip:/tel: link fragments.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanNumber, isDialable, needsAccount, partyName, uriUser } from '../../web/src/dial.js';
import { dialTarget, parseFragment } from '../../web/src/protocol-links.js';

test('a pasted North American number loses its brackets, spaces and dashes', () => {
  assert.equal(cleanNumber('+1 (555) 123-4567'), '+15551234567');
  assert.equal(cleanNumber('  (555) 123-4567 '), '5551234567');
  assert.equal(cleanNumber('555.123.4567'), '5551234567');
});

test('Unicode dashes, non-breaking and thin spaces, slashes are separators too', () => {
  assert.equal(cleanNumber('+44\u00a020\u20137946\u20110958'), '+442079460958');
  assert.equal(cleanNumber('030 / 123\u2009456'), '030123456');
  assert.equal(cleanNumber('+49 (0) 30 1234'), '+490301234');
});

test('a plus anywhere but first is dropped; * and # stay (service codes)', () => {
  assert.equal(cleanNumber('+1+2'), '+12');
  assert.equal(cleanNumber('*72 555 1234'), '*725551234');
  assert.equal(cleanNumber('#31#'), '#31#');
});

test('sip: and sips: URIs are kept as written (without stray whitespace)', () => {
  assert.equal(cleanNumber(' sip:alice@example.com '), 'sip:alice@example.com');
  assert.equal(cleanNumber('sips:+15551234567@pbx.example.com;user=phone'), 'sips:+15551234567@pbx.example.com;user=phone');
  assert.equal(cleanNumber('SIP:Bob@Example.com'), 'SIP:Bob@Example.com');
  assert.equal(cleanNumber('bob@example.com'), 'bob@example.com');
});

test('tel: URIs (RFC 3966) become their number without parameters', () => {
  assert.equal(cleanNumber('tel:+1-555-123-4567'), '+15551234567');
  assert.equal(cleanNumber('tel:7042;phone-context=example.com'), '7042');
});

test('names and extensions the engine resolves stay as typed', () => {
  assert.equal(cleanNumber('echo'), 'echo');
  assert.equal(cleanNumber('1002'), '1002');
  assert.equal(cleanNumber('1-800-FLOWERS'), '1-800-FLOWERS');
});

test('empty and separator-only input is not dialable', () => {
  assert.equal(cleanNumber('   '), '');
  assert.equal(isDialable(' - '), true, 'a dash alone is text, not a number: the engine decides');
  assert.equal(isDialable(''), false);
  assert.equal(isDialable('()'), true);
});

test('the far end is named by contact, then display name, then the URI user', () => {
  assert.equal(partyName('Alice Smith', 'alice', 'sip:1001@pbx'), 'Alice Smith');
  assert.equal(partyName(null, ' Bob ', 'sip:1002@pbx'), 'Bob');
  assert.equal(partyName(null, '', 'sip:1003@pbx;transport=tcp'), '1003');
  assert.equal(uriUser('sip:%2B15551234567@pbx'), '+15551234567');
  assert.equal(uriUser('sip:pbx.example.com'), 'pbx.example.com');
  assert.equal(uriUser('tel:+15551234567'), '+15551234567');
});

test('#token= and #dial= are read from the launch fragment', () => {
  assert.deepEqual(parseFragment('#token=abc123'), { token: 'abc123', dial: null });
  assert.deepEqual(parseFragment(''), { token: null, dial: null });
  assert.deepEqual(parseFragment('#dial=sip%3Aalice%40example.com'), { token: null, dial: 'sip:alice@example.com' });
  assert.deepEqual(parseFragment('#token=t&dial=tel%3A%2B1-555-123-4567'), { token: 't', dial: '+15551234567' });
});

test('a handler URL encoded twice is decoded once more; other schemes are refused', () => {
  assert.equal(dialTarget('sip%3Abob%40example.com'), 'sip:bob@example.com');
  assert.equal(dialTarget('tel:+1 (555) 123-4567'), '+15551234567');
  assert.equal(dialTarget('javascript:alert(1)'), null);
  assert.equal(dialTarget('https://example.com'), null);
  assert.equal(dialTarget('   '), null);
  assert.equal(dialTarget('%E0%A4%A'), null, 'a malformed escape is kept as text; it is not a sip/tel link or number');
});

test('needsAccount: numbers and extensions need an account; echo, sip: URIs and user@host are direct', () => {
  assert.equal(needsAccount('1002'), true);
  assert.equal(needsAccount('+1 (555) 123-4567'), true);
  assert.equal(needsAccount('echo'), false);
  assert.equal(needsAccount('ECHO'), false);
  assert.equal(needsAccount('sip:bob@192.0.2.1:5062'), false);
  assert.equal(needsAccount('bob@example.com'), false);
});
