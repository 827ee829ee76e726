import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import type { ImportReport, ImportResult, ParsedFile } from './contacts-import.js';
import { importContacts, parseContactFile } from './contacts-import.js';
import { detectDelimiter, parseCsv } from './contacts-import-csv.js';
import { unfoldLines } from './contacts-import-vcard.js';
import { PhoneStore } from './store/index.js';
import { tempDir } from './store/testing/temp-dir.js';

function store(t: TestContext): PhoneStore {
  const s = PhoneStore.open(tempDir(t, 'softphone-import-'));
  t.after(() => s.close());
  return s;
}

function parsed(input: string | Uint8Array): ParsedFile {
  const r = parseContactFile(input);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

function report(r: ImportResult<ImportReport>): ImportReport {
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

const crlf = (s: string) => s.replace(/\n/g, '\r\n');

// ---------------------------------------------------------------- vCard

test('vCard 3.0: FN, N, ORG, TEL with TYPE=CELL and TYPE=cell,voice, EMAIL, NOTE; CRLF', () => {
  const p = parsed(
    crlf(`BEGIN:VCARD
VERSION:3.0
N:Liddell;Alice;;Dr.;
FN:Alice Liddell
ORG:Wonderland Ltd;Research
TEL;TYPE=CELL:+1 (555) 123-4567
TEL;TYPE=work,voice:+1 555 765 4321
TEL;TYPE=HOME;TYPE=FAX:555-000-1111
TEL:201
EMAIL;TYPE=INTERNET:alice@example.com
NOTE:Met at the tea party
END:VCARD
`),
  );
  assert.equal(p.format, 'vcard');
  assert.deepEqual(p.skipped, []);
  assert.deepEqual(p.contacts, [
    {
      line: 1,
      name: 'Alice Liddell',
      organisation: 'Wonderland Ltd, Research',
      email: 'alice@example.com',
      favourite: false,
      notes: 'Met at the tea party',
      numbers: [
        { label: 'mobile', value: '+1 (555) 123-4567' },
        { label: 'work', value: '+1 555 765 4321' },
        { label: 'home fax', value: '555-000-1111' },
        { label: 'other', value: '201' },
      ],
    },
  ]);
});

test('vCard 4.0: TEL;VALUE=uri:tel:+1-555..., quoted TYPE lists, sip: URIs, LF line ends', () => {
  const p = parsed(`BEGIN:VCARD
VERSION:4.0
FN:Bob
TEL;VALUE=uri;TYPE="voice,cell";PREF=1:tel:+1-555-555-5555;ext=5555
TEL;VALUE=uri;TYPE=work:tel:+44-20-7946-0958
TEL;VALUE=uri:sip:bob@example.com
IMPP;PREF=1:sip:bob.im@example.com
IMPP:xmpp:bob@example.com
END:VCARD
`);
  assert.deepEqual(p.contacts[0]?.numbers, [
    { label: 'mobile', value: '+1-555-555-5555;ext=5555' },
    { label: 'work', value: '+44-20-7946-0958' },
    { label: 'sip', value: 'sip:bob@example.com' },
    { label: 'sip', value: 'sip:bob.im@example.com' },
  ]);
});

test('vCard: N alone gives the name; a card with only a number is named by it', () => {
  const p = parsed(`BEGIN:VCARD
VERSION:3.0
N:Åström;Zoë;;;
END:VCARD
BEGIN:VCARD
VERSION:3.0
TEL:+46 70 123 45 67
END:VCARD
`);
  assert.deepEqual(
    p.contacts.map((c) => c.name),
    ['Zoë Åström', '+46 70 123 45 67'],
  );
});

test('vCard: several cards; "no name and no number" cards are skipped with their line', () => {
  const p = parsed(`BEGIN:VCARD
VERSION:3.0
FN:One
END:VCARD

BEGIN:VCARD
VERSION:3.0
EMAIL:nobody@example.com
TEL:n/a
END:VCARD
BEGIN:VCARD
VERSION:3.0
FN:Three
TEL:3333333
END:VCARD
`);
  assert.deepEqual(
    p.contacts.map((c) => [c.line, c.name]),
    [
      [1, 'One'],
      [11, 'Three'],
    ],
  );
  assert.deepEqual(p.skipped, [{ line: 6, reason: 'no name and no number', message: 'line 6: no name and no number' }]);
  assert.ok(p.warnings.some((w) => w.line === 9 && /n\/a/.test(w.message)));
});

test('vCard: folded lines (RFC 6350 §3.2: CRLF then a space or a tab continues), UTF-8 split across a fold', () => {
  const p = parsed(
    'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Zo\r\n ë Åst\r\n\tröm\r\nNOTE:a long note that goes on\r\n  and on\r\nTEL;TY\r\n PE=cell:+1 555\r\n  123 4567\r\nEND:VCARD\r\n',
  );
  const c = p.contacts[0];
  assert.equal(c?.name, 'Zoë Åström');
  assert.equal(c?.notes, 'a long note that goes on and on');
  assert.deepEqual(c?.numbers, [{ label: 'mobile', value: '+1 555 123 4567' }]);
});

test('unfoldLines keeps the line number of the first physical line', () => {
  assert.deepEqual(unfoldLines('A:1\n B\nC:2\r\n\tD'), [
    { line: 1, text: 'A:1B' },
    { line: 3, text: 'C:2D' },
  ]);
});

test('vCard 2.1: quoted-printable with CHARSET=UTF-8, soft line breaks, bare TYPE parameters', () => {
  const p = parsed(
    crlf(`BEGIN:VCARD
VERSION:2.1
N;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:=C3=85str=C3=B6m;Zo=C3=AB;;;
FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Zo=C3=AB =C3=85str=C3=B6m
TEL;CELL;VOICE:+4670123456
TEL;WORK:+468555000
NOTE;ENCODING=QUOTED-PRINTABLE:First line=0D=0Asecond =
line, joined=3D
ORG;QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Caf=E9 M=FCller
END:VCARD
`),
  );
  const c = p.contacts[0];
  assert.equal(c?.name, 'Zoë Åström');
  assert.equal(c?.notes, 'First line\r\nsecond line, joined=');
  assert.equal(c?.organisation, 'Café Müller');
  assert.deepEqual(c?.numbers, [
    { label: 'mobile', value: '+4670123456' },
    { label: 'work', value: '+468555000' },
  ]);
});

test('vCard: escaped \\, \\; \\n \\\\ in text and structured values', () => {
  const p = parsed(`BEGIN:VCARD
VERSION:3.0
FN:Smith\\, John
N:Smith\\;Jones;John;;;
ORG:Smith\\, Jones & Co\\; Ltd
NOTE:line 1\\nline 2\\Nline 3\\\\path\\tkept
END:VCARD
`);
  const c = p.contacts[0];
  assert.equal(c?.name, 'Smith, John');
  assert.equal(c?.organisation, 'Smith, Jones & Co; Ltd');
  assert.equal(c?.notes, 'line 1\nline 2\nline 3\\path\\tkept');
});

test('vCard: UTF-8 names (Zoë Åström, 李雷, emoji), a UTF-8 BOM, bytes input', () => {
  const text = '\uFEFFBEGIN:VCARD\nVERSION:4.0\nFN:李雷\nEND:VCARD\nBEGIN:VCARD\nVERSION:4.0\nFN:Party 🎉 Zoë Åström\nEND:VCARD\n';
  const p = parsed(new TextEncoder().encode(text));
  assert.deepEqual(
    p.contacts.map((c) => c.name),
    ['李雷', 'Party 🎉 Zoë Åström'],
  );
});

test('vCard: Apple groups with X-ABLabel give custom labels', () => {
  const p = parsed(`BEGIN:VCARD
VERSION:3.0
FN:Carol
item1.TEL:+1 555 111 2222
item1.X-ABLabel:Boat
item2.TEL;type=pref:+1 555 333 4444
item2.X-ABLabel:_$!<HomeFAX>!$_
END:VCARD
`);
  assert.deepEqual(p.contacts[0]?.numbers, [
    { label: 'Boat', value: '+1 555 111 2222' },
    { label: 'home fax', value: '+1 555 333 4444' },
  ]);
});

test('vCard: a card without END, a BEGIN inside a card, stray lines: skipped or warned, never thrown', () => {
  const p = parsed(`garbage before
BEGIN:VCARD
FN:Interrupted
BEGIN:VCARD
FN:Fine
this line has no colon
END:VCARD
END:VCARD
BEGIN:VCARD
FN:Truncated
`);
  assert.deepEqual(
    p.contacts.map((c) => c.name),
    ['Fine'],
  );
  assert.deepEqual(
    p.skipped.map((s) => s.message),
    ['line 2: no END:VCARD before the next BEGIN:VCARD on line 4', 'line 9: the card has no END:VCARD (file truncated?)'],
  );
  assert.ok(p.warnings.some((w) => w.line === 6));
  assert.ok(p.warnings.some((w) => w.line === 8 && /without BEGIN/.test(w.message)));
});

test('vCard: several EMAILs keep the first with a warning; X-SOFTPHONE-FAVOURITE sets favourite', () => {
  const p = parsed('BEGIN:VCARD\nFN:D\nEMAIL:a@x\nEMAIL:b@x\nX-SOFTPHONE-FAVOURITE:1\nEND:VCARD\n');
  assert.equal(p.contacts[0]?.email, 'a@x');
  assert.equal(p.contacts[0]?.favourite, true);
  assert.ok(p.warnings.some((w) => /2 emails/.test(w.message)));
});

// ---------------------------------------------------------------- CSV

test('CSV: RFC 4180 quoting: commas, doubled quotes and line breaks inside quotes', () => {
  const r = parseCsv('a,"b,c","say ""hi""","multi\r\nline",\r\nx,y\n', ',');
  assert.deepEqual(r, {
    records: [
      { line: 1, fields: ['a', 'b,c', 'say "hi"', 'multi\nline', ''] },
      { line: 3, fields: ['x', 'y'] },
    ],
    unterminatedAt: null,
  });
});

test('CSV: delimiter detected from the header: comma, semicolon or tab', () => {
  assert.equal(detectDelimiter('Name,Phone\n'), ',');
  assert.equal(detectDelimiter('Name;Phone;"Company, Inc"\n'), ';');
  assert.equal(detectDelimiter('Name\tPhone\n'), '\t');
  assert.equal(detectDelimiter('Name\n'), ',');
});

test('CSV: flexible headers (first/last name, mobile, work, home, company, e-mail), quotes and UTF-8', () => {
  const p = parsed(
    'First Name,Last Name,Mobile Phone,Business Phone,Home,E-mail Address,Company,Notes,Favorite\r\n' +
      'Zoë,Åström,"+46 70 123 45 67",,"08-555 000",zoe@example.se,"Björk, AB","likes ""fika""\r\nand cake",yes\r\n' +
      '李,雷,13800138000,,,,,,\r\n',
  );
  assert.equal(p.format, 'csv');
  assert.deepEqual(p.contacts, [
    {
      line: 2,
      name: 'Zoë Åström',
      organisation: 'Björk, AB',
      email: 'zoe@example.se',
      favourite: true,
      notes: 'likes "fika"\nand cake',
      numbers: [
        { label: 'mobile', value: '+46 70 123 45 67' },
        { label: 'home', value: '08-555 000' },
      ],
    },
    { line: 4, name: '李 雷', organisation: null, email: null, favourite: false, notes: null, numbers: [{ label: 'mobile', value: '13800138000' }] },
  ]);
});

test('CSV: ";" delimiter with a BOM, "Name" and "Phone" columns, emoji', () => {
  const bytes = new TextEncoder().encode('\uFEFFName;Phone;Work;Organisation\n"Smith; John";555 1234;;"ACME; Inc"\nParty 🎉;+1 555 999 0000;201;\n');
  const p = parsed(bytes);
  assert.deepEqual(
    p.contacts.map((c) => [c.name, c.organisation, c.numbers]),
    [
      ['Smith; John', 'ACME; Inc', [{ label: 'other', value: '555 1234' }]],
      [
        'Party 🎉',
        null,
        [
          { label: 'other', value: '+1 555 999 0000' },
          { label: 'work', value: '201' },
        ],
      ],
    ],
  );
});

test('CSV: rows with no name and no number are skipped with their line; blank lines are ignored', () => {
  const p = parsed('Name,Phone,Email\nAlice,555-0001,\n\n,,nobody@example.com\n,5550002,\n"",""\n,,\nBob,,bob@example.com\n');
  assert.deepEqual(
    p.contacts.map((c) => c.name),
    ['Alice', '5550002', 'Bob'],
  );
  assert.deepEqual(p.skipped, [{ line: 4, reason: 'no name and no number', message: 'line 4: no name and no number' }]);
});

test('CSV: line numbers count the line breaks inside quoted fields', () => {
  const p = parsed('Name,Notes\n"A","one\ntwo\nthree"\n,"only\nnotes"\nB,\n');
  assert.deepEqual(
    p.contacts.map((c) => [c.line, c.name]),
    [
      [2, 'A'],
      [7, 'B'],
    ],
  );
  assert.deepEqual(
    p.skipped.map((s) => s.message),
    ['line 5: no name and no number'],
  );
});

test('CSV: Google Contacts export with Phone N - Type / Value pairs and ::: lists', () => {
  const p = parsed(
    'Name,Given Name,Family Name,Organization 1 - Name,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value\n' +
      'Dana Scully,Dana,Scully,FBI,* Work,dana@fbi.gov,Mobile,+1 202-555-0101 ::: +1 202-555-0102,Work Fax,+1 202-555-0199\n',
  );
  assert.deepEqual(p.contacts[0], {
    line: 2,
    name: 'Dana Scully',
    organisation: 'FBI',
    email: 'dana@fbi.gov',
    favourite: false,
    notes: null,
    numbers: [
      { label: 'mobile', value: '+1 202-555-0101' },
      { label: 'mobile', value: '+1 202-555-0102' },
      { label: 'work fax', value: '+1 202-555-0199' },
    ],
  });
});

test('CSV: an unterminated quote is reported, the rows before it imported', () => {
  const p = parsed('Name,Phone\nA,1111111\n"B,2222222\nC,3333333\n');
  assert.deepEqual(
    p.contacts.map((c) => c.name),
    ['A'],
  );
  assert.deepEqual(
    p.skipped.map((s) => s.message),
    ['line 3: a quoted field is never closed; the rest of the file was not read'],
  );
});

test('CSV: a header without any known column is an error result, not an exception', () => {
  const r = parseContactFile('foo,bar\n1,2\n');
  assert.equal(r.ok, false);
  assert.equal(r.ok ? '' : r.error.code, 'csv-no-known-columns');
  const empty = parseContactFile('  \n');
  assert.equal(empty.ok ? '' : empty.error.code, 'empty');
});

test('decoding: UTF-16 with a BOM (Outlook) and Windows-1252 bytes are read', () => {
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Name,Phone\r\nZoë,5551234\r\n', 'utf16le')]);
  assert.equal(parsed(utf16).contacts[0]?.name, 'Zoë');
  const latin = Buffer.from('Name,Phone\nJos\xe9,5551234\n', 'latin1');
  const p = parsed(latin);
  assert.equal(p.contacts[0]?.name, 'José');
  assert.ok(p.warnings.some((w) => /Windows-1252/.test(w.message)));
});

test('parsers never throw on random input', () => {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const alphabet = ['BEGIN:VCARD\n', 'END:VCARD\n', 'FN:', 'TEL;TYPE=', ';', ',', '"', '\n', '\r', ' ', '=', 'é', '\\', ':', 'a', '1', 'QUOTED-PRINTABLE'];
  for (let i = 0; i < 500; i++) {
    let s = i % 2 ? 'Name,Phone\n' : '';
    for (let j = 0; j < 60; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
    const r = parseContactFile(s);
    assert.equal(typeof r.ok, 'boolean');
  }
});

// ---------------------------------------------------------------- into the store

test('importContacts: creates the contacts, reports imported and skipped; names resolve caller IDs', (t) => {
  const s = store(t);
  const r = report(
    importContacts(s.contacts, 'BEGIN:VCARD\nFN:Alice\nTEL;TYPE=cell:+1 (555) 123-4567\nEND:VCARD\nBEGIN:VCARD\nNOTE:x\nEND:VCARD\n'),
  );
  assert.equal(r.format, 'vcard');
  assert.equal(r.imported, 1);
  assert.deepEqual(
    r.skipped.map((x) => x.message),
    ['line 5: no name and no number'],
  );
  assert.equal(s.contacts.resolveCaller('sip:+15551234567@pbx')?.contact.name, 'Alice');
  assert.deepEqual(r.ids, [s.contacts.resolveCaller('+15551234567')?.contact.id]);
});

test('importContacts: importing the same file twice adds nothing; duplicates inside a file are skipped', (t) => {
  const s = store(t);
  const csv = 'Name,Mobile\nAlice,555-123-4567\nalice,(555) 123 4567\nBob,555-000-0000\n';
  const first = report(importContacts(s.contacts, csv));
  assert.equal(first.imported, 2);
  assert.deepEqual(
    first.skipped.map((x) => x.message),
    ['line 3: duplicate of the card on line 2'],
  );
  const second = report(importContacts(s.contacts, csv));
  assert.equal(second.imported, 0);
  assert.deepEqual(
    second.skipped.map((x) => x.message),
    ['line 2: duplicate of the existing contact "Alice"', 'line 3: duplicate of the existing contact "Alice"', 'line 4: duplicate of the existing contact "Bob"'],
  );
  assert.equal(report(importContacts(s.contacts, csv, { allowDuplicates: true })).imported, 3);
});

test('importContacts: a store failure is a result, and nothing is imported', (t) => {
  const s = store(t);
  s.close();
  const r = importContacts(s.contacts, 'Name\nA\n');
  assert.equal(r.ok, false);
  assert.equal(r.ok ? '' : r.error.code, 'store-failed');
});
