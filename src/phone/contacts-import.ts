/**
 * Importing contacts from a vCard (.vcf) or CSV file into the store. Never throws on bad
 * input: the answer is a result, and a successful one reports what was imported and, for
 * every card or row left out, its line and why ("line 7: no name and no number").
 *
 * Input bytes are decoded as UTF-8 (a UTF-8 BOM is dropped; a UTF-16 BOM, as Outlook writes,
 * selects UTF-16); bytes that are not valid UTF-8 are read as Windows-1252, with a warning.
 * The format is vCard when a BEGIN:VCARD line is present, CSV otherwise (or as told).
 *
 * Duplicates: a draft with the same name (ignoring case and accents), email and set of
 * numbers as an existing contact, or as an earlier card of the same file, is skipped, so
 * importing a file twice adds nothing (`allowDuplicates` turns this off).
 */
import type { Contacts, ContactInput } from './store/index.js';
import { foldText, parseCaller } from './store/index.js';
import type { ContactDraft, ImportSkip, ImportWarning, ParsedContacts } from './contacts-import-types.js';
import { skip } from './contacts-import-types.js';
import { parseCsvContacts } from './contacts-import-csv.js';
import { parseVCards } from './contacts-import-vcard.js';

export type { ContactDraft, ImportSkip, ImportWarning, ParsedContacts } from './contacts-import-types.js';

export type ContactFileFormat = 'vcard' | 'csv';

export type ImportErrorCode = 'empty' | 'csv-no-header' | 'csv-no-known-columns' | 'store-failed';

export interface ImportError {
  code: ImportErrorCode;
  message: string;
}

export type ImportResult<T> = { ok: true; value: T } | { ok: false; error: ImportError };

export interface ParsedFile extends ParsedContacts {
  format: ContactFileFormat;
}

export interface ImportReport {
  format: ContactFileFormat;
  /** How many contacts were created. */
  imported: number;
  /** Their ids, in file order. */
  ids: number[];
  skipped: ImportSkip[];
  warnings: ImportWarning[];
}

export interface ImportOptions {
  /** Default: detected from the content. */
  format?: ContactFileFormat;
  /** Import cards equal to an existing contact too. Default false. */
  allowDuplicates?: boolean;
}

/** Bytes or text → text without BOM, and a warning when the bytes were not UTF-8. */
export function decodeContactFile(input: string | Uint8Array): { text: string; warning: string | null } {
  if (typeof input === 'string') return { text: input.replace(/^\uFEFF/, ''), warning: null };
  if (input[0] === 0xff && input[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(input.subarray(2)), warning: null };
  if (input[0] === 0xfe && input[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(input.subarray(2)), warning: null };
  try {
    // TextDecoder drops a UTF-8 BOM itself.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(input), warning: null };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(input), warning: 'the file is not valid UTF-8; it was read as Windows-1252' };
  }
}

export function detectFormat(text: string): ContactFileFormat {
  return /^[ \t]*BEGIN[ \t]*:[ \t]*VCARD[ \t]*$/im.test(text) ? 'vcard' : 'csv';
}

/** Reads a contact file into drafts without touching the store. */
export function parseContactFile(input: string | Uint8Array, format?: ContactFileFormat): ImportResult<ParsedFile> {
  try {
    const { text, warning } = decodeContactFile(input);
    if (text.trim() === '') return { ok: false, error: { code: 'empty', message: 'the file is empty' } };
    const chosen = format ?? detectFormat(text);
    let parsed: ParsedContacts;
    if (chosen === 'vcard') parsed = parseVCards(text);
    else {
      const csv = parseCsvContacts(text);
      if (!csv.ok) return csv;
      parsed = csv.value;
    }
    if (warning) parsed.warnings.unshift({ line: 1, message: warning });
    return { ok: true, value: { format: chosen, ...parsed } };
  } catch (cause) {
    // A parser bug must not take the engine down with it; report it as a failed import.
    return { ok: false, error: { code: 'store-failed', message: `the file could not be read: ${String(cause)}` } };
  }
}

function numberKey(value: string): string {
  const k = parseCaller(value);
  return k === null ? value.trim().toLowerCase() : k.kind === 'number' ? k.digits : k.address;
}

/** What makes two contacts the same for duplicate detection. */
function identity(c: Pick<ContactInput, 'name' | 'email' | 'numbers'>): string {
  const numbers = [...new Set((c.numbers ?? []).map((n) => numberKey(n.value)))].sort();
  return JSON.stringify([foldText(c.name.trim()), (c.email ?? '').trim().toLowerCase(), numbers]);
}

/** Parses `input` and creates its contacts in one transaction (all of them, or on an error none). */
export function importContacts(contacts: Contacts, input: string | Uint8Array, options: ImportOptions = {}): ImportResult<ImportReport> {
  const parsed = parseContactFile(input, options.format);
  if (!parsed.ok) return parsed;
  const { format, skipped, warnings } = parsed.value;
  let drafts: ContactDraft[] = parsed.value.contacts;
  try {
    if (!options.allowDuplicates) {
      const seen = new Map<string, string>();
      for (const c of contacts.list({ limit: 100_000 })) seen.set(identity(c), `the existing contact "${c.name}"`);
      drafts = drafts.filter((d) => {
        const key = identity(d);
        const earlier = seen.get(key);
        if (earlier) {
          skipped.push(skip(d.line, `duplicate of ${earlier}`));
          return false;
        }
        seen.set(key, `the card on line ${d.line}`);
        return true;
      });
    }
    const created = contacts.createMany(drafts.map(({ line: _line, ...input }) => input));
    skipped.sort((a, b) => a.line - b.line);
    return { ok: true, value: { format, imported: created.length, ids: created.map((c) => c.id), skipped, warnings } };
  } catch (cause) {
    return { ok: false, error: { code: 'store-failed', message: `nothing was imported: ${String(cause)}` } };
  }
}
