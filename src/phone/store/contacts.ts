/**
 * Contacts: a name, an organisation, an email, notes, a favourite flag and any number of
 * phone numbers or SIP URIs, each with a label ("mobile", "work", "sip", ...). Caller-ID
 * resolution (`resolveCaller`) finds the contact behind an incoming URI or number by the
 * rules documented in caller-id.ts.
 */
import type { CallerKey } from './caller-id.js';
import { contactSearchKey, likeContains, numberKeys, parseCaller, searchPatterns, suffixMatchLength, tailOf } from './caller-id.js';
import type { SqliteDatabase } from './database.js';
import { StoreError } from './errors.js';
import { optionalText, requireId, requireLimit, requireText } from './validate.js';

export interface ContactNumber {
  /** Free text; the importer and the UI use mobile, work, home, main, fax, pager, sip, other. */
  label: string;
  /** As entered: "+1 (555) 123-4567", "201", "sip:alice@example.com". */
  value: string;
}

export interface Contact {
  id: number;
  name: string;
  organisation: string | null;
  email: string | null;
  favourite: boolean;
  notes: string | null;
  numbers: ContactNumber[];
  createdAt: number;
  updatedAt: number;
}

export interface ContactInput {
  name: string;
  organisation?: string | null;
  email?: string | null;
  favourite?: boolean;
  notes?: string | null;
  numbers?: readonly ContactNumber[];
}

/** Fields to change; `numbers`, when given, replaces the whole list. */
export type ContactPatch = Partial<ContactInput>;

export interface CallerMatch {
  contact: Contact;
  /** The label of the number or URI that matched. */
  label: string;
  /** The stored value that matched. */
  value: string;
  /** Which rule of caller-id.ts matched: the address, the whole number, or its last digits. */
  match: 'address' | 'number' | 'suffix';
}

interface ContactRow {
  id: number;
  name: string;
  organisation: string | null;
  email: string | null;
  favourite: number;
  notes: string | null;
  created_at: number;
  updated_at: number;
}

interface NumberRow {
  contact_id: number;
  label: string;
  value: string;
  digits: string | null;
}

const COLUMNS = 'id, name, organisation, email, favourite, notes, created_at, updated_at';

function checkNumbers(numbers: readonly ContactNumber[] | undefined): ContactNumber[] {
  if (numbers === undefined) return [];
  if (!Array.isArray(numbers)) throw new StoreError('invalid-argument', 'numbers must be an array');
  return numbers.map((n, i) => {
    const value = requireText(n?.value, `numbers[${i}].value`).trim();
    const label = optionalText(n.label, `numbers[${i}].label`)?.trim() ?? 'other';
    return { label, value };
  });
}

export class Contacts {
  readonly #db: SqliteDatabase;
  readonly #now: () => number;

  constructor(db: SqliteDatabase, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  create(input: ContactInput): Contact {
    return this.#db.transaction(() => this.#insert(input))();
  }

  /** Creates several contacts in one transaction: all of them or, on an error, none. */
  createMany(inputs: readonly ContactInput[]): Contact[] {
    return this.#db.transaction(() => inputs.map((c) => this.#insert(c)))();
  }

  get(id: number): Contact | undefined {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM contacts WHERE id = ?`).get(id) as ContactRow | undefined;
    return row && this.#hydrate([row])[0];
  }

  update(id: number, patch: ContactPatch): Contact {
    requireId(id, 'id');
    return this.#db.transaction(() => {
      const current = this.get(id);
      if (!current) throw new StoreError('not-found', `no contact with id ${id}`);
      const next = {
        name: patch.name === undefined ? current.name : requireText(patch.name, 'name').trim(),
        organisation: patch.organisation === undefined ? current.organisation : optionalText(patch.organisation, 'organisation'),
        email: patch.email === undefined ? current.email : optionalText(patch.email, 'email'),
        favourite: patch.favourite === undefined ? current.favourite : Boolean(patch.favourite),
        notes: patch.notes === undefined ? current.notes : optionalText(patch.notes, 'notes'),
        numbers: patch.numbers === undefined ? current.numbers : checkNumbers(patch.numbers),
      };
      this.#db
        .prepare('UPDATE contacts SET name = ?, organisation = ?, email = ?, favourite = ?, notes = ?, updated_at = ?, search_key = ? WHERE id = ?')
        .run(next.name, next.organisation, next.email, next.favourite ? 1 : 0, next.notes, this.#now(), contactSearchKey(next), id);
      if (patch.numbers !== undefined) this.#writeNumbers(id, next.numbers);
      return this.get(id) as Contact;
    })();
  }

  delete(id: number): boolean {
    return this.#db.prepare('DELETE FROM contacts WHERE id = ?').run(id).changes === 1;
  }

  setFavourite(id: number, favourite: boolean): Contact {
    return this.update(id, { favourite });
  }

  /** All contacts, sorted by name ignoring case and accents, a page at a time. */
  list(options: { limit?: number; offset?: number } = {}): Contact[] {
    const limit = requireLimit(options.limit ?? 100, 100_000);
    const offset = options.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0) throw new StoreError('invalid-argument', `offset must be a non-negative integer, not ${offset}`);
    // search_key begins with the folded name, so it sorts by name without case or accents.
    const rows = this.#db.prepare(`SELECT ${COLUMNS} FROM contacts ORDER BY search_key, id LIMIT ? OFFSET ?`).all(limit, offset) as ContactRow[];
    return this.#hydrate(rows);
  }

  favourites(): Contact[] {
    const rows = this.#db.prepare(`SELECT ${COLUMNS} FROM contacts WHERE favourite = 1 ORDER BY search_key, id`).all() as ContactRow[];
    return this.#hydrate(rows);
  }

  /**
   * Contacts whose name, organisation, email or any number/URI contains `query`, ignoring case
   * and accents; a formatted number ("555-123") also matches by its digits. Sorted by name.
   */
  search(query: string, options: { limit?: number } = {}): Contact[] {
    const limit = requireLimit(options.limit ?? 50);
    const patterns = searchPatterns(query);
    if (patterns.length === 0) return [];
    const rows = this.#db
      .prepare(`SELECT ${COLUMNS} FROM contacts WHERE ${patterns.map(() => "search_key LIKE ? ESCAPE '\\'").join(' OR ')} ORDER BY search_key, id LIMIT ?`)
      .all(...patterns.map(likeContains), limit) as ContactRow[];
    return this.#hydrate(rows);
  }

  count(): number {
    return Number(this.#db.prepare('SELECT count(*) FROM contacts').pluck().get());
  }

  /**
   * The contact behind a caller: a URI (`sip:5551234567@pbx`, `tel:+1-555-123-4567`,
   * `"Bob" <sip:bob@example.com>`) or a number (`+1 (555) 123-4567`). Rules and their order:
   * caller-id.ts. Null when no contact matches.
   */
  resolveCaller(uriOrNumber: string): CallerMatch | null {
    const key = parseCaller(uriOrNumber);
    if (!key) return null;
    const found = this.#findCaller(key);
    if (!found) return null;
    const contact = this.get(found.contactId);
    return contact ? { contact, label: found.label, value: found.value, match: found.match } : null;
  }

  #findCaller(key: CallerKey): { contactId: number; label: string; value: string; match: CallerMatch['match'] } | null {
    // Ties: favourite first, then the oldest contact, then the number's position.
    const order = 'ORDER BY c.favourite DESC, c.id, n.position';
    const select = 'SELECT n.contact_id, n.label, n.value, n.digits FROM contact_numbers n JOIN contacts c ON c.id = n.contact_id';
    if (key.kind === 'address') {
      const r = this.#db.prepare(`${select} WHERE n.address = ? ${order} LIMIT 1`).get(key.address) as NumberRow | undefined;
      return r ? { contactId: r.contact_id, label: r.label, value: r.value, match: 'address' } : null;
    }
    const exact = this.#db.prepare(`${select} WHERE n.digits = ? ${order} LIMIT 1`).get(key.digits) as NumberRow | undefined;
    if (exact) return { contactId: exact.contact_id, label: exact.label, value: exact.value, match: 'number' };
    const tail = tailOf(key.digits);
    if (tail === null) return null;
    const candidates = this.#db.prepare(`${select} WHERE n.tail = ? ${order}`).all(tail) as NumberRow[];
    let best: NumberRow | undefined;
    let bestLength = 0;
    for (const c of candidates) {
      const length = suffixMatchLength(key.digits, c.digits ?? '');
      if (length > bestLength) {
        best = c;
        bestLength = length;
      }
    }
    return best ? { contactId: best.contact_id, label: best.label, value: best.value, match: 'suffix' } : null;
  }

  #insert(input: ContactInput): Contact {
    if (input === null || typeof input !== 'object') throw new StoreError('invalid-argument', 'a contact must be an object');
    const c = {
      name: requireText(input.name, 'name').trim(),
      organisation: optionalText(input.organisation, 'organisation'),
      email: optionalText(input.email, 'email'),
      favourite: Boolean(input.favourite),
      notes: optionalText(input.notes, 'notes'),
      numbers: checkNumbers(input.numbers),
    };
    const now = this.#now();
    const info = this.#db
      .prepare(
        `INSERT INTO contacts (name, organisation, email, favourite, notes, created_at, updated_at, search_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(c.name, c.organisation, c.email, c.favourite ? 1 : 0, c.notes, now, now, contactSearchKey(c));
    const id = Number(info.lastInsertRowid);
    this.#writeNumbers(id, c.numbers);
    return this.get(id) as Contact;
  }

  #writeNumbers(contactId: number, numbers: readonly ContactNumber[]): void {
    this.#db.prepare('DELETE FROM contact_numbers WHERE contact_id = ?').run(contactId);
    const insert = this.#db.prepare(
      'INSERT INTO contact_numbers (contact_id, position, label, value, digits, tail, address) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    numbers.forEach((n, i) => {
      const k = numberKeys(n.value);
      insert.run(contactId, i, n.label, n.value, k.digits, k.tail, k.address);
    });
  }

  #hydrate(rows: ContactRow[]): Contact[] {
    if (rows.length === 0) return [];
    const numbers = this.#db
      .prepare('SELECT contact_id, label, value, digits FROM contact_numbers WHERE contact_id IN (SELECT value FROM json_each(?)) ORDER BY contact_id, position')
      .all(JSON.stringify(rows.map((r) => r.id))) as NumberRow[];
    const byContact = new Map<number, ContactNumber[]>();
    for (const n of numbers) {
      let list = byContact.get(n.contact_id);
      if (!list) byContact.set(n.contact_id, (list = []));
      list.push({ label: n.label, value: n.value });
    }
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      organisation: r.organisation,
      email: r.email,
      favourite: r.favourite === 1,
      notes: r.notes,
      numbers: byContact.get(r.id) ?? [],
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }
}
