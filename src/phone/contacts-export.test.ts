import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportVCards, escapeText, foldLine } from './contacts-export.js';
import { importContacts, parseContactFile } from './contacts-import.js';
import type { ContactInput } from './store/index.js';
import { PhoneStore } from './store/index.js';
import { tempDir } from './store/testing/temp-dir.js';

const octets = (s: string) => new TextEncoder().encode(s).length;

const TRICKY: ContactInput[] = [
  {
    name: 'Smith, John; Jr.',
    organisation: 'ACME, Inc; Sales\\Ops',
    email: 'john@example.com',
    favourite: true,
    notes: 'line 1\nline 2, with; punctuation \\ and a very long tail that certainly goes beyond seventy-five octets of text',
    numbers: [
      { label: 'mobile', value: '+1 (555) 123-4567' },
      { label: 'work', value: '+15557654321' },
      { label: 'home fax', value: '555.000.1111' },
      { label: 'work mobile', value: '201' },
      { label: 'other', value: '+44 20 7946 0958;ext=12' },
      { label: 'sip', value: 'sip:john@example.com' },
      { label: 'main', value: '+1-555-000-0000' },
      { label: 'Boat, aft', value: '5559990000' },
      { label: 'other', value: 'sips:john@example.com' },
      { label: 'sip', value: '7000' },
    ],
  },
  { name: 'Zoë Åström', organisation: null, email: null, favourite: false, notes: null, numbers: [] },
  {
    name: '李雷 '.repeat(20).trim() + ' 🎉🎉🎉',
    organisation: 'Björk AB',
    email: null,
    favourite: false,
    notes: '😀'.repeat(40),
    numbers: [{ label: 'mobile', value: '13800138000' }],
  },
];

test('export: vCard 4.0 with CRLF, escapes, TEL as tel:/sip: URIs or text', () => {
  const v = exportVCards([TRICKY[0] as ContactInput]);
  const lines = v.replace(/\r\n[ \t]/g, '').split('\r\n');
  assert.ok(v.endsWith('\r\n'));
  assert.ok(!/[^\r]\n/.test(v), 'only CRLF line ends');
  assert.deepEqual(lines.slice(0, 4), ['BEGIN:VCARD', 'VERSION:4.0', 'FN:Smith\\, John\\; Jr.', 'ORG:ACME\\, Inc\\; Sales\\\\Ops']);
  assert.ok(lines.includes('TEL;TYPE=cell:+1 (555) 123-4567'));
  assert.ok(lines.includes('TEL;VALUE=uri;TYPE=work:tel:+15557654321'));
  assert.ok(lines.includes('TEL;VALUE=uri;TYPE=home,fax:tel:555.000.1111'));
  assert.ok(lines.includes('TEL;VALUE=uri:sip:john@example.com'));
  assert.ok(lines.includes('item1.TEL;VALUE=uri:tel:+1-555-000-0000'));
  assert.ok(lines.includes('item1.X-ABLabel:main'));
  assert.ok(lines.includes('X-SOFTPHONE-FAVOURITE:1'));
  assert.equal(lines.at(-2), 'END:VCARD');
});

test('export: lines are folded at 75 octets without splitting a UTF-8 character', () => {
  const v = exportVCards(TRICKY);
  for (const line of v.split('\r\n')) assert.ok(octets(line) <= 75, `${octets(line)} octets: ${line}`);
  assert.ok(v.includes('\r\n '), 'something was folded');
  assert.equal(foldLine('short'), 'short');
  const folded = foldLine('é'.repeat(100));
  assert.deepEqual(folded.split('\r\n').map(octets), [74, 75, 53]);
  assert.equal(folded.replace(/\r\n /g, ''), 'é'.repeat(100));
});

test('escapeText: backslash, comma, semicolon, newline', () => {
  assert.equal(escapeText('a\\b,c;d\ne\r\nf'), 'a\\\\b\\,c\\;d\\ne\\nf');
});

test('round trip: export then import gives back every field and label, UTF-8 included', () => {
  const r = parseContactFile(exportVCards(TRICKY));
  assert.ok(r.ok);
  assert.equal(r.value.format, 'vcard');
  assert.deepEqual(r.value.skipped, []);
  assert.deepEqual(r.value.warnings, []);
  const back = r.value.contacts.map(({ line: _line, ...c }) => c);
  assert.deepEqual(back, TRICKY);
});

test('round trip through the store: export every contact, import into a fresh profile, equal contacts', (t) => {
  const a = PhoneStore.open(tempDir(t));
  const b = PhoneStore.open(tempDir(t));
  t.after(() => (a.close(), b.close()));
  a.contacts.createMany(TRICKY);
  const r = importContacts(b.contacts, exportVCards(a.contacts.list()));
  assert.ok(r.ok);
  assert.equal(r.value.imported, TRICKY.length);
  const strip = (list: ReturnType<typeof a.contacts.list>) => list.map(({ id: _id, createdAt: _c, updatedAt: _u, ...rest }) => rest);
  assert.deepEqual(strip(b.contacts.list()), strip(a.contacts.list()));
  assert.equal(b.contacts.resolveCaller('tel:+15551234567')?.contact.name, 'Smith, John; Jr.');
});
