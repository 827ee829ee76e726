/**
 * Exporting contacts as vCard 4.0 (RFC 6350), which contacts-import.ts reads back unchanged.
 *
 * - Lines end in CRLF and are folded at 75 octets (§3.2) without splitting a UTF-8 sequence.
 * - Text is escaped per §3.4 (`\\`, `\,`, `\;`, `\n`).
 * - A number that fits a tel: URI (digits, `+`, `-`, `.`, `(`, `)`) is written as
 *   `TEL;VALUE=uri:tel:…`, a SIP URI as `TEL;VALUE=uri:sip:…`, anything else as TEL text
 *   (the 4.0 default value type), so the stored value comes back exactly.
 * - Labels become TYPE values when the importer's `labelFromTypes` maps them back to the same
 *   label (mobile → cell, work, home, fax, pager, "work mobile"); any other label is written
 *   Apple's way, as a group with X-ABLabel, which most address books read.
 * - Favourite is the private property X-SOFTPHONE-FAVOURITE. N is not written: splitting a
 *   stored full name into family and given names would be a guess.
 */
import type { ContactInput } from './store/index.js';
import { labelFromTypes } from './contacts-import-vcard.js';

const encoder = new TextEncoder();

/** Escapes a text value (RFC 6350 §3.4). */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/;/g, '\\;').replace(/\r\n|\n|\r/g, '\\n');
}

/** Folds a content line at 75 octets: CRLF + one space, never inside a UTF-8 sequence. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const ch of line) {
    const size = encoder.encode(ch).length;
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
      limit = 74; // the leading space of a continuation line counts
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

const TYPE_OF_WORD: Record<string, string> = { mobile: 'cell', work: 'work', home: 'home', fax: 'fax', pager: 'pager' };

/** TYPE values that the importer maps back to `label`, or null when none does. */
function typesFor(label: string, value: string): string[] | null {
  const words = label.toLowerCase().split(/\s+/).filter(Boolean);
  const types = words.filter((w) => w in TYPE_OF_WORD).map((w) => TYPE_OF_WORD[w] as string);
  if (types.length !== words.length && !(words.length === 1 && (words[0] === 'other' || words[0] === 'sip'))) return null;
  return labelFromTypes(types, value) === label ? types : null;
}

function telLine(label: string, value: string, group: () => string): string[] {
  let params = '';
  let v: string;
  if (/^sips?:\S+$/i.test(value)) {
    params = ';VALUE=uri';
    v = value;
  } else if (/^\+?[0-9().-]+$/.test(value) && /\d/.test(value)) {
    params = ';VALUE=uri';
    v = `tel:${value}`;
  } else v = escapeText(value);
  const types = typesFor(label, value);
  if (types) return [`TEL${params}${types.length ? `;TYPE=${types.join(',')}` : ''}:${v}`];
  const g = group();
  return [`${g}.TEL${params}:${v}`, `${g}.X-ABLabel:${escapeText(label)}`];
}

/** One vCard 4.0 per contact, CRLF line ends. */
export function exportVCards(contacts: readonly ContactInput[]): string {
  const lines: string[] = [];
  for (const c of contacts) {
    let groups = 0;
    const group = () => `item${++groups}`;
    lines.push('BEGIN:VCARD', 'VERSION:4.0', `FN:${escapeText(c.name)}`);
    if (c.organisation) lines.push(`ORG:${escapeText(c.organisation)}`);
    for (const n of c.numbers ?? []) lines.push(...telLine(n.label, n.value, group));
    if (c.email) lines.push(`EMAIL:${escapeText(c.email)}`);
    if (c.notes) lines.push(`NOTE:${escapeText(c.notes)}`);
    if (c.favourite) lines.push('X-SOFTPHONE-FAVOURITE:1');
    lines.push('END:VCARD');
  }
  return lines.map(foldLine).join('\r\n') + (lines.length ? '\r\n' : '');
}
