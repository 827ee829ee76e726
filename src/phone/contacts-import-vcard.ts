/**
 * Reading vCard files (2.1, 3.0 RFC 2426, 4.0 RFC 6350) into contact drafts. Lenient by
 * design: a card that cannot become a contact is skipped with its line number and reason,
 * and nothing throws.
 *
 * Handled: BEGIN/END:VCARD, several cards per file, CRLF, LF or CR line ends, folding (RFC
 * 6350 §3.2: "a CRLF immediately followed by a single linear white-space character (i.e.,
 * SPACE or HTAB)" continues the line), vCard 2.1 quoted-printable with its `=` soft line
 * breaks and CHARSET, base64 text values, backslash escapes (`\,` `\;` `\n` `\\`), groups
 * (`item1.TEL` with Apple's `item1.X-ABLabel`), TYPE as `TYPE=cell,voice`,
 * `TYPE=cell;TYPE=voice`, `TYPE="cell,voice"` or 2.1's bare `CELL`, and 4.0 `VALUE=uri`
 * with `tel:` and `sip:` URIs. Used properties: FN, N, ORG, TEL, IMPP/X-SIP (SIP URIs only),
 * EMAIL (the first), NOTE, X-SOFTPHONE-FAVOURITE.
 */
import type { ContactNumber } from './store/index.js';
import type { ContactDraft, ImportWarning, ParsedContacts } from './contacts-import-types.js';
import { skip } from './contacts-import-types.js';

interface LogicalLine {
  line: number;
  text: string;
}

interface Property {
  group: string | null;
  /** Upper case. */
  name: string;
  /** Parameter names upper case; values as written, unquoted, split on commas. */
  params: Map<string, string[]>;
  value: string;
}

const isQuotedPrintable = (text: string) => /^[^:]*QUOTED-PRINTABLE[^:]*:/i.test(text);

/** Physical lines → logical lines: folding, and 2.1 quoted-printable soft line breaks. */
export function unfoldLines(text: string): LogicalLine[] {
  const physical = text.split(/\r\n|\n|\r/);
  const out: LogicalLine[] = [];
  physical.forEach((raw, i) => {
    const last = out[out.length - 1];
    if (last && last.text.endsWith('=') && isQuotedPrintable(last.text)) {
      last.text = last.text.slice(0, -1) + raw;
    } else if (last && (raw.startsWith(' ') || raw.startsWith('\t'))) {
      last.text += raw.slice(1);
    } else {
      out.push({ line: i + 1, text: raw });
    }
  });
  return out;
}

/** Splits on `sep` outside double quotes. */
function splitUnquoted(text: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === sep && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

/** `[group.]name *(;param) : value`; null when there is no colon. */
export function parseProperty(text: string): Property | null {
  let quoted = false;
  let colon = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    else if (text[i] === ':' && !quoted) {
      colon = i;
      break;
    }
  }
  if (colon < 0) return null;
  const [head = '', ...paramTexts] = splitUnquoted(text.slice(0, colon), ';');
  const dot = head.lastIndexOf('.');
  const params = new Map<string, string[]>();
  const add = (key: string, values: string[]) => params.set(key, [...(params.get(key) ?? []), ...values]);
  for (const p of paramTexts) {
    const eq = p.indexOf('=');
    if (eq < 0) {
      // vCard 2.1 bare parameters: `TEL;CELL;VOICE:`, `NOTE;QUOTED-PRINTABLE:`.
      const bare = p.trim().toUpperCase();
      if (bare === 'QUOTED-PRINTABLE' || bare === 'BASE64' || bare === 'B') add('ENCODING', [bare]);
      else if (bare) add('TYPE', [bare]);
      continue;
    }
    const key = p.slice(0, eq).trim().toUpperCase();
    const values = splitUnquoted(p.slice(eq + 1), ',').map((v) => v.trim().replace(/^"(.*)"$/s, '$1'));
    add(key, values.flatMap((v) => v.split(',')).filter((v) => v !== ''));
  }
  return {
    group: dot >= 0 ? head.slice(0, dot) : null,
    name: (dot >= 0 ? head.slice(dot + 1) : head).trim().toUpperCase(),
    params,
    value: text.slice(colon + 1),
  };
}

/** RFC 6350 §3.4: `\n` `\N` newline, `\,` `\;` `\\` (and 3.0's `\:`) literal; others kept. */
export function unescapeText(text: string): string {
  return text.replace(/\\([nN,;:\\])/g, (_m, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Splits a structured value (N, ORG) on unescaped semicolons. */
function splitComponents(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\' && i + 1 < value.length) {
      current += ch + value[i + 1];
      i++;
    } else if (ch === ';') {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map(unescapeText);
}

/** A decoder for the CHARSET parameter; an unknown charset falls back to UTF-8. */
function decoderFor(charset: string | undefined): { decode(bytes: Uint8Array): string } {
  try {
    return new TextDecoder(charset ?? 'utf-8');
  } catch {
    return new TextDecoder('utf-8');
  }
}

function decodeQuotedPrintable(value: string, charset: string | undefined): string {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] ?? '';
    const hex = value.slice(i + 1, i + 3);
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (ch === '=' && i === value.length - 1) {
      // A soft line break left at the very end.
    } else bytes.push(...encoder.encode(ch));
  }
  return decoderFor(charset).decode(new Uint8Array(bytes));
}

/** The property's value with its transfer encoding (quoted-printable, base64) undone. */
function rawValue(p: Property): string {
  const encoding = p.params.get('ENCODING')?.[0]?.toUpperCase();
  const charset = p.params.get('CHARSET')?.[0];
  if (encoding === 'QUOTED-PRINTABLE') return decodeQuotedPrintable(p.value, charset);
  if (encoding === 'B' || encoding === 'BASE64') return decoderFor(charset).decode(Buffer.from(p.value, 'base64'));
  return p.value;
}

const isSipUri = (v: string) => /^sips?:[^\s]+$/i.test(v);

/**
 * The label of a TEL from its TYPE values: a place (work, home) and a kind (mobile, fax,
 * pager, main), "work mobile", "home fax"; without either, "sip" for a SIP URI and "other".
 * The exporter relies on this same function to choose TYPE values that come back unchanged.
 */
export function labelFromTypes(types: readonly string[], value: string): string {
  const t = new Set(types.map((x) => x.toLowerCase()));
  const place = t.has('work') ? 'work' : t.has('home') ? 'home' : null;
  const kind =
    t.has('cell') || t.has('mobile') || t.has('iphone') ? 'mobile' : t.has('fax') ? 'fax' : t.has('pager') ? 'pager' : t.has('main') ? 'main' : null;
  const label = [place, kind].filter((x) => x !== null).join(' ');
  return label || (isSipUri(value) ? 'sip' : 'other');
}

/** A TEL value as stored: `tel:` removed; null when it holds neither a digit nor a SIP URI. */
function telValue(value: string): string | null {
  let v = value.trim();
  if (/^tel:/i.test(v)) v = v.slice(4);
  if (isSipUri(v)) return v;
  return /\d/.test(v) ? v : null;
}

/** An X-ABLabel: Apple's built-in ones (`_$!<HomeFAX>!$_`) in our words, others as written. */
function customLabel(text: string): string {
  const builtIn = /^_\$!<(.*)>!\$_$/.exec(text.trim());
  if (!builtIn?.[1]) return text.trim();
  return builtIn[1].replace(/fax$/i, ' fax').trim().toLowerCase();
}

interface CardBuilder {
  line: number;
  fn: string | null;
  n: string | null;
  org: string | null;
  emails: string[];
  notes: string[];
  numbers: { group: string | null; types: string[]; value: string }[];
  groupLabels: Map<string, string>;
  favourite: boolean;
}

function newCard(line: number): CardBuilder {
  return { line, fn: null, n: null, org: null, emails: [], notes: [], numbers: [], groupLabels: new Map(), favourite: false };
}

function applyProperty(card: CardBuilder, p: Property, line: number, warnings: ImportWarning[]): void {
  const value = rawValue(p);
  switch (p.name) {
    case 'FN':
      card.fn = unescapeText(value).trim() || card.fn;
      break;
    case 'N': {
      // Family; Given; Additional; Prefix; Suffix → "Prefix Given Additional Family Suffix".
      const [family = '', given = '', additional = '', prefix = '', suffix = ''] = splitComponents(value);
      const name = [prefix, given, additional, family, suffix]
        .map((s) => s.replace(/,/g, ' ').trim())
        .filter(Boolean)
        .join(' ');
      card.n = name || card.n;
      break;
    }
    case 'ORG':
      card.org = splitComponents(value).map((s) => s.trim()).filter(Boolean).join(', ') || card.org;
      break;
    case 'TEL': {
      const v = telValue(unescapeText(value));
      if (v === null) warnings.push({ line, message: `TEL "${value.trim()}" is not a number; dropped` });
      else card.numbers.push({ group: p.group, types: p.params.get('TYPE') ?? [], value: v });
      break;
    }
    case 'IMPP':
    case 'X-SIP': {
      const v = unescapeText(value).trim();
      if (isSipUri(v)) card.numbers.push({ group: p.group, types: p.params.get('TYPE') ?? [], value: v });
      break;
    }
    case 'EMAIL': {
      const v = unescapeText(value).trim();
      if (v) card.emails.push(v);
      break;
    }
    case 'NOTE': {
      const v = unescapeText(value).trim();
      if (v) card.notes.push(v);
      break;
    }
    case 'X-ABLABEL':
      if (p.group) card.groupLabels.set(p.group.toLowerCase(), customLabel(unescapeText(value)));
      break;
    case 'X-SOFTPHONE-FAVOURITE':
    case 'X-SOFTPHONE-FAVORITE':
      card.favourite = /^(1|true|yes)$/i.test(value.trim());
      break;
    default:
      break;
  }
}

function finishCard(card: CardBuilder, warnings: ImportWarning[]): ContactDraft | string {
  const numbers: ContactNumber[] = card.numbers.map((n) => {
    const custom = n.group ? card.groupLabels.get(n.group.toLowerCase()) : undefined;
    return { label: custom || labelFromTypes(n.types, n.value), value: n.value };
  });
  const name = card.fn ?? card.n ?? card.org ?? numbers[0]?.value ?? null;
  if (name === null || (numbers.length === 0 && !card.fn && !card.n && !card.org)) return 'no name and no number';
  if (card.emails.length > 1) warnings.push({ line: card.line, message: `${card.emails.length} emails; kept the first (${card.emails[0]})` });
  return {
    line: card.line,
    name,
    organisation: card.org,
    email: card.emails[0] ?? null,
    favourite: card.favourite,
    notes: card.notes.length ? card.notes.join('\n') : null,
    numbers,
  };
}

export function parseVCards(text: string): ParsedContacts {
  const out: ParsedContacts = { contacts: [], skipped: [], warnings: [] };
  let card: CardBuilder | null = null;
  for (const { line, text: content } of unfoldLines(text)) {
    if (content.trim() === '') continue;
    const p = parseProperty(content);
    if (p?.name === 'BEGIN' && p.value.trim().toUpperCase() === 'VCARD') {
      if (card) out.skipped.push(skip(card.line, `no END:VCARD before the next BEGIN:VCARD on line ${line}`));
      card = newCard(line);
      continue;
    }
    if (p?.name === 'END' && p.value.trim().toUpperCase() === 'VCARD') {
      if (!card) {
        out.warnings.push({ line, message: 'END:VCARD without BEGIN:VCARD; ignored' });
        continue;
      }
      const done = finishCard(card, out.warnings);
      if (typeof done === 'string') out.skipped.push(skip(card.line, done));
      else out.contacts.push(done);
      card = null;
      continue;
    }
    if (!card) continue; // text between cards
    if (!p) {
      out.warnings.push({ line, message: 'not a vCard property (no colon); ignored' });
      continue;
    }
    applyProperty(card, p, line, out.warnings);
  }
  if (card) out.skipped.push(skip(card.line, 'the card has no END:VCARD (file truncated?)'));
  return out;
}
