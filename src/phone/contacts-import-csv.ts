/**
 * Reading CSV contact lists (RFC 4180, as exported by Google Contacts, Outlook, phones and
 * spreadsheets) into contact drafts. Nothing throws: rows that cannot become contacts are
 * skipped with their line number and reason.
 *
 * - Fields: quoted fields may hold the delimiter, doubled quotes (`""`) and line breaks; a
 *   quote inside an unquoted field is kept as a character (lenient, like spreadsheets).
 * - Delimiter: `,`, `;` (spreadsheets in locales with a decimal comma) or tab, whichever occurs
 *   most often outside quotes in the header row.
 * - The first row is a header. Column names are matched loosely (case, accents, punctuation
 *   ignored): name / full name / display name; first / given name, middle name, last / family
 *   name / surname; organisation / organization / company; email / e-mail (address); notes;
 *   favourite / starred; and phone columns: any header with phone, telephone, tel, mobile,
 *   cell, number, fax, pager or sip in it, or exactly work / home / main, labelled by the
 *   words in the header ("Mobile Phone" → mobile, "Business Fax" → work fax). Google's
 *   "Phone 1 - Type" / "Phone 1 - Value" pairs take the label from the Type column, and a
 *   value holding several numbers separated by " ::: " gives several numbers.
 */
import { foldText } from './store/index.js';
import type { ContactNumber } from './store/index.js';
import type { ContactDraft, ImportWarning, ParsedContacts } from './contacts-import-types.js';
import { skip } from './contacts-import-types.js';

export interface CsvRecord {
  /** The physical line where the record starts (1-based). */
  line: number;
  fields: string[];
}

export interface CsvParse {
  records: CsvRecord[];
  /** A quoted field that never closed: it swallowed the rest of the file from this line. */
  unterminatedAt: number | null;
}

/** Picks `,`, `;` or tab: the most frequent outside quotes in the first record. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    [';', 0],
    ['\t', 0],
  ]);
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  for (const [d, n] of counts) if (n > (counts.get(best) ?? 0)) best = d;
  return best;
}

/** RFC 4180 records; CRLF, LF or CR line ends; line breaks inside quotes become `\n`. */
export function parseCsv(text: string, delimiter: string): CsvParse {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false; // inside a quoted field
  let fieldStart = true;
  const endField = () => {
    fields.push(field);
    field = '';
    fieldStart = true;
  };
  const endRecord = () => {
    endField();
    records.push({ line: recordLine, fields });
    fields = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else if (ch === '\r' || ch === '\n') {
        if (ch === '\r' && text[i + 1] === '\n') i++;
        field += '\n';
        line++;
      } else field += ch;
      continue;
    }
    if (ch === '"' && fieldStart) {
      quoted = true;
      fieldStart = false;
    } else if (ch === delimiter) {
      endField();
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += ch;
      fieldStart = false;
    }
  }
  if (quoted) return { records, unterminatedAt: recordLine };
  if (fields.length > 0 || field !== '') endRecord();
  return { records, unterminatedAt: null };
}

type Column =
  | { kind: 'name' | 'first' | 'middle' | 'last' | 'org' | 'email' | 'notes' | 'favourite' | 'ignore' }
  | { kind: 'phone'; label: string; pair: string | null }
  | { kind: 'phone-type'; pair: string };

const normaliseHeader = (h: string) =>
  foldText(h)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

const PHONE_WORDS = new Set(['phone', 'telephone', 'tel', 'mobile', 'cell', 'cellphone', 'cellular', 'number', 'fax', 'pager', 'sip', 'voip']);
const NOT_PHONE_WORDS = new Set(['address', 'street', 'city', 'email', 'mail', 'country', 'zip', 'postal', 'region', 'type', 'label']);

/** The label of a phone from words: "mobile phone" → mobile, "business fax" → work fax. */
export function labelFromWords(words: readonly string[]): string {
  const w = new Set(words.map((x) => x.toLowerCase()));
  const place = w.has('work') || w.has('business') || w.has('office') || w.has('company') ? 'work' : w.has('home') || w.has('private') ? 'home' : null;
  const kind =
    w.has('mobile') || w.has('cell') || w.has('cellphone') || w.has('cellular') || w.has('iphone')
      ? 'mobile'
      : w.has('fax')
        ? 'fax'
        : w.has('pager')
          ? 'pager'
          : w.has('sip') || w.has('voip')
            ? 'sip'
            : w.has('main') || w.has('primary')
              ? 'main'
              : null;
  if (kind === 'fax' || kind === 'mobile') return place ? `${place} ${kind}` : kind;
  return kind ?? place ?? 'other';
}

export function classifyHeader(header: string): Column {
  const h = normaliseHeader(header);
  const words = h.split(' ');
  if (/^(name|full name|display name|displayname|contact|contact name|fn)$/.test(h)) return { kind: 'name' };
  if (/^(first name|firstname|first|given name|givenname|forename)$/.test(h)) return { kind: 'first' };
  if (/^(middle name|middlename|middle|additional name)$/.test(h)) return { kind: 'middle' };
  if (/^(last name|lastname|last|family name|familyname|surname)$/.test(h)) return { kind: 'last' };
  if (/^(organi[sz]ation|company|org)( \d+)?( name)?$/.test(h)) return { kind: 'org' };
  if (/^e ?mail( \d+)?( address| value)?$/.test(h) || /^e ?mail address( \d+)?$/.test(h)) return { kind: 'email' };
  if (/^(notes?|comments?)$/.test(h)) return { kind: 'notes' };
  if (/^(favou?rite|starred|star)$/.test(h)) return { kind: 'favourite' };
  const google = /^phone (\d+) (value|type|label)$/.exec(h);
  if (google?.[1]) return google[2] === 'value' ? { kind: 'phone', label: 'other', pair: google[1] } : { kind: 'phone-type', pair: google[1] };
  const isPhone = words.some((w) => PHONE_WORDS.has(w)) || /^(work|home|main|business|private)$/.test(h);
  if (isPhone && !words.some((w) => NOT_PHONE_WORDS.has(w))) return { kind: 'phone', label: labelFromWords(words), pair: null };
  return { kind: 'ignore' };
}

const TRUTHY = /^(1|y|yes|true|x|\*|starred|favou?rite)$/i;

/** Numbers from a cell: " ::: "-separated lists split; values without a digit or SIP URI dropped. */
function cellNumbers(value: string, label: string, line: number, warnings: ImportWarning[]): ContactNumber[] {
  const out: ContactNumber[] = [];
  for (const part of value.split(':::')) {
    const v = part.trim();
    if (!v) continue;
    if (/\d/.test(v) || /^sips?:\S+$/i.test(v)) out.push({ label, value: v });
    else warnings.push({ line, message: `"${v}" is not a number; dropped` });
  }
  return out;
}

/** Google's type cells: "* Mobile", "Work Fax", "Main". */
function labelFromTypeCell(cell: string): string | null {
  const words = normaliseHeader(cell.replace(/^\*\s*/, '')).split(' ').filter(Boolean);
  if (words.length === 0) return null;
  const known = labelFromWords(words);
  return known === 'other' ? words.join(' ') : known;
}

export type CsvImport = { ok: true; value: ParsedContacts } | { ok: false; error: { code: 'csv-no-header' | 'csv-no-known-columns'; message: string } };

export function parseCsvContacts(text: string): CsvImport {
  const delimiter = detectDelimiter(text);
  const { records, unterminatedAt } = parseCsv(text, delimiter);
  const header = records[0];
  if (!header || header.fields.every((f) => f.trim() === '')) {
    return { ok: false, error: { code: 'csv-no-header', message: 'the CSV file has no header row' } };
  }
  const columns = header.fields.map(classifyHeader);
  const useful = columns.some((c) => c.kind === 'name' || c.kind === 'first' || c.kind === 'last' || c.kind === 'phone' || c.kind === 'org');
  if (!useful) {
    return {
      ok: false,
      error: {
        code: 'csv-no-known-columns',
        message: `no name, organisation or phone column in the header (${header.fields.map((f) => JSON.stringify(f)).join(', ')})`,
      },
    };
  }
  const out: ParsedContacts = { contacts: [], skipped: [], warnings: [] };
  const ignored = header.fields.filter((_, i) => columns[i]?.kind === 'ignore' && header.fields[i]?.trim());
  if (ignored.length) out.warnings.push({ line: header.line, message: `ignored columns: ${ignored.join(', ')}` });
  for (const record of records.slice(1)) {
    if (record.fields.every((f) => f.trim() === '')) continue; // blank line
    const draft = rowToDraft(record, columns, out.warnings);
    if (typeof draft === 'string') out.skipped.push(skip(record.line, draft));
    else out.contacts.push(draft);
  }
  if (unterminatedAt !== null) {
    out.skipped.push(skip(unterminatedAt, 'a quoted field is never closed; the rest of the file was not read'));
  }
  return { ok: true, value: out };
}

function rowToDraft(record: CsvRecord, columns: Column[], warnings: ImportWarning[]): ContactDraft | string {
  const get = (kind: Column['kind']) =>
    columns
      .map((c, i) => (c.kind === kind ? (record.fields[i] ?? '').trim() : ''))
      .filter(Boolean);
  const typeCells = new Map<string, string>();
  columns.forEach((c, i) => {
    if (c.kind === 'phone-type') typeCells.set(c.pair, record.fields[i] ?? '');
  });
  const numbers: ContactNumber[] = [];
  columns.forEach((c, i) => {
    if (c.kind !== 'phone') return;
    const label = (c.pair !== null && labelFromTypeCell(typeCells.get(c.pair) ?? '')) || c.label;
    numbers.push(...cellNumbers(record.fields[i] ?? '', label, record.line, warnings));
  });
  const org = get('org')[0] ?? null;
  const personal = [get('first')[0], get('middle')[0], get('last')[0]].filter(Boolean).join(' ');
  const name = get('name')[0] || personal || org || numbers[0]?.value;
  if (!name) return 'no name and no number';
  const emails = get('email');
  if (emails.length > 1) warnings.push({ line: record.line, message: `${emails.length} emails; kept the first (${emails[0]})` });
  const notes = get('notes').join('\n');
  return {
    line: record.line,
    name,
    organisation: org,
    email: emails[0] ?? null,
    favourite: get('favourite').some((v) => TRUTHY.test(v)),
    notes: notes || null,
    numbers,
  };
}
