/** Types shared by the contact importers (vCard, CSV) and their entry point. */
import type { ContactInput } from './store/index.js';

/** A contact read from a file, with the line where its card or row begins (1-based). */
export interface ContactDraft extends ContactInput {
  line: number;
}

/** A card or row that was not imported, and why. */
export interface ImportSkip {
  line: number;
  reason: string;
  /** "line 7: no name and no number" */
  message: string;
}

/** Something dropped or changed while importing a card or row that was imported. */
export interface ImportWarning {
  line: number;
  message: string;
}

export interface ParsedContacts {
  contacts: ContactDraft[];
  skipped: ImportSkip[];
  warnings: ImportWarning[];
}

export function skip(line: number, reason: string): ImportSkip {
  return { line, reason, message: `line ${line}: ${reason}` };
}
