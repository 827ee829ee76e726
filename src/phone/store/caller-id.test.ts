import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldText, numberKeys, parseCaller, parseNumber, searchPatterns, suffixMatchLength } from './caller-id.js';

test('parseNumber: strips spaces, dashes, parentheses, dots and slashes; keeps a leading +', () => {
  assert.deepEqual(parseNumber('+1 (555) 123-4567'), { digits: '15551234567', international: true });
  assert.deepEqual(parseNumber('+15551234567'), { digits: '15551234567', international: true });
  assert.deepEqual(parseNumber('555.123.4567'), { digits: '5551234567', international: false });
  assert.deepEqual(parseNumber('030 / 1234\u00a05678'), { digits: '03012345678', international: false });
  assert.equal(parseNumber('alice'), null);
  assert.equal(parseNumber('12a3'), null);
  assert.equal(parseNumber('+'), null);
  assert.equal(parseNumber('1+2'), null);
});

test('parseCaller: numbers from bare numbers, tel: URIs and SIP URIs with numeric users', () => {
  const number = (digits: string, international = false) => ({ kind: 'number', digits, international });
  assert.deepEqual(parseCaller('+1 (555) 123-4567'), number('15551234567', true));
  assert.deepEqual(parseCaller('sip:5551234567@pbx'), number('5551234567'));
  assert.deepEqual(parseCaller('sips:+15551234567@pbx.example.com:5061;user=phone'), number('15551234567', true));
  assert.deepEqual(parseCaller('tel:+1-555-123-4567;ext=12'), number('15551234567', true));
  assert.deepEqual(parseCaller('"Bob" <sip:201@10.0.0.1;transport=tcp>;tag=abc'), number('201'));
  assert.deepEqual(parseCaller('sip:%2B15551234567@pbx'), number('15551234567', true));
  assert.deepEqual(parseCaller('5551234567@pbx'), number('5551234567'));
  assert.deepEqual(parseCaller('sip:555-1234;phone-context=example.com@pbx'), number('5551234'));
});

test('parseCaller: a non-numeric user is an address, user@host lowercased without port or parameters', () => {
  const address = (a: string) => ({ kind: 'address', address: a });
  assert.deepEqual(parseCaller('sip:Alice@Example.COM'), address('alice@example.com'));
  assert.deepEqual(parseCaller('<sips:alice@example.com:5061;transport=tls?subject=x>'), address('alice@example.com'));
  assert.deepEqual(parseCaller('alice@example.com'), address('alice@example.com'));
  assert.deepEqual(parseCaller('sip:alice:secret@example.com'), address('alice@example.com'));
  assert.equal(parseCaller('sip:example.com'), null);
  assert.equal(parseCaller('anonymous'), null);
  assert.equal(parseCaller(''), null);
  assert.equal(parseCaller('tel:abc'), null);
});

test('suffix rule: at least 7 digits on both sides; compares the last min(9, a, b) digits', () => {
  assert.equal(suffixMatchLength('15551234567', '5551234567'), 9); // country code
  assert.equal(suffixMatchLength('442079460958', '02079460958'), 9); // trunk prefix 0
  assert.equal(suffixMatchLength('00442079460958', '442079460958'), 9); // international prefix 00
  assert.equal(suffixMatchLength('15551234567', '1234567'), 7); // local number without area code
  assert.equal(suffixMatchLength('15551234567', '15559234567'), 0); // differs in the last 9
  assert.equal(suffixMatchLength('123456', '9123456'), 0); // 6 digits: exact only
  assert.equal(suffixMatchLength('201', '201'), 0); // equal short numbers are rule 2, not 3
});

test('numberKeys: digits, last-7 tail and address for the stored columns', () => {
  assert.deepEqual(numberKeys('+1 (555) 123-4567'), { digits: '15551234567', tail: '1234567', address: null });
  assert.deepEqual(numberKeys('201'), { digits: '201', tail: null, address: null });
  assert.deepEqual(numberKeys('sip:Carol@Example.com'), { digits: null, tail: null, address: 'carol@example.com' });
  assert.deepEqual(numberKeys('n/a'), { digits: null, tail: null, address: null });
});

test('foldText: case and accents are folded; CJK and emoji are kept', () => {
  assert.equal(foldText('Zoë Åström'), 'zoe astrom');
  assert.equal(foldText('ÉLODIE Ñandú'), 'elodie nandu');
  assert.equal(foldText('李雷'), '李雷');
  assert.equal(foldText('Bob 🎉'), 'bob 🎉');
});

test('searchPatterns: the folded query, plus its digits when it is a formatted number', () => {
  assert.deepEqual(searchPatterns('Zoë'), ['zoe']);
  assert.deepEqual(searchPatterns('555-123'), ['555-123', '555123']);
  assert.deepEqual(searchPatterns('5551'), ['5551']);
  assert.deepEqual(searchPatterns('  '), []);
});
