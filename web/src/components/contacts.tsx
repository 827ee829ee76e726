/** Contacts: search, favourites, add/edit/delete, import from vCard or CSV, export. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Contact, ContactInput, ContactNumber, ImportReport } from '../api-types.js';
import { api } from '../api.js';
import { cleanNumber } from '../dial.js';
import { Button, Field, Icon, initials, useDebounced } from './ui.js';

const LABELS = ['mobile', 'work', 'home', 'main', 'sip', 'fax', 'other'];

/** "vcard" for .vcf/.vcard or a BEGIN:VCARD body, else "csv". */
export function importFormat(fileName: string, text: string): 'vcard' | 'csv' {
  if (/\.(vcf|vcard)$/i.test(fileName) || /^\s*BEGIN:VCARD/i.test(text.replace(/^\uFEFF/, ''))) return 'vcard';
  return 'csv';
}

function ContactForm({ contact, onSave, onCancel }: { contact: Contact | null; onSave: (c: ContactInput) => Promise<void>; onCancel: () => void }) {
  const [name, setName] = useState(contact?.name ?? '');
  const [organisation, setOrganisation] = useState(contact?.organisation ?? '');
  const [email, setEmail] = useState(contact?.email ?? '');
  const [notes, setNotes] = useState(contact?.notes ?? '');
  const [favourite, setFavourite] = useState(contact?.favourite ?? false);
  const [numbers, setNumbers] = useState<ContactNumber[]>(contact?.numbers.length ? contact.numbers : [{ label: 'mobile', value: '' }]);
  const [error, setError] = useState<string | null>(null);
  const idp = contact ? `c-${contact.id}` : 'c-new';

  const setNumber = (i: number, patch: Partial<ContactNumber>) => setNumbers(numbers.map((n, j) => (j === i ? { ...n, ...patch } : n)));
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!name.trim()) return setError('A name is needed.');
    try {
      await onSave({
        name: name.trim(),
        organisation: organisation.trim() || null,
        email: email.trim() || null,
        notes: notes.trim() || null,
        favourite,
        numbers: numbers.filter((n) => n.value.trim()).map((n) => ({ label: n.label, value: n.value.trim() })),
      });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };

  return (
    <form class="card form" onSubmit={submit} aria-labelledby={`${idp}-title`} noValidate>
      <h2 id={`${idp}-title`}>{contact ? `Edit ${contact.name}` : 'New contact'}</h2>
      <div class="grid2">
        <Field label="Name" id={`${idp}-name`}>
          <input id={`${idp}-name`} required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="Organisation" id={`${idp}-org`}>
          <input id={`${idp}-org`} value={organisation} onInput={(e) => setOrganisation(e.currentTarget.value)} />
        </Field>
        <Field label="Email" id={`${idp}-email`}>
          <input id={`${idp}-email`} type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <label class="check fav-check">
          <input type="checkbox" checked={favourite} onChange={(e) => setFavourite(e.currentTarget.checked)} /> Favourite
        </label>
      </div>
      <fieldset class="numbers">
        <legend>Numbers and SIP addresses</legend>
        {numbers.map((n, i) => (
          <div class="inline" key={i}>
            <select aria-label={`Label of number ${i + 1}`} value={n.label} onChange={(e) => setNumber(i, { label: e.currentTarget.value })}>
              {[...new Set([...LABELS, n.label])].map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
            <input aria-label={`Number ${i + 1}`} type="text" inputMode="tel" value={n.value} onInput={(e) => setNumber(i, { value: e.currentTarget.value })} />
            <Button icon="trash" label={`Remove number ${i + 1}`} onClick={() => setNumbers(numbers.filter((_, j) => j !== i))} />
          </div>
        ))}
        <Button icon="plus" label="Add a number" text="Add number" onClick={() => setNumbers([...numbers, { label: 'mobile', value: '' }])} />
      </fieldset>
      <Field label="Notes" id={`${idp}-notes`}>
        <textarea id={`${idp}-notes`} rows={2} value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
      </Field>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="actions">
        <button type="submit" class="btn btn-primary">
          Save
        </button>
        <button type="button" class="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

interface Props {
  version: number;
  onCall: (target: string) => void;
  onError: (message: string) => void;
  onChanged: () => void;
}

export function ContactsView({ version, onCall, onError, onChanged }: Props) {
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim(), 200);
  const [contacts, setContacts] = useState<Contact[] | null>(null);
  const [editing, setEditing] = useState<string | number | 'new' | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [refresh, setRefresh] = useState(0);
  const fileRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    api.contacts.list(q).then(
      (list) => live && setContacts(list),
      (e: Error) => live && onError(e.message),
    );
    return () => {
      live = false;
    };
  }, [q, version, refresh]);

  const changed = () => {
    setRefresh((n) => n + 1);
    onChanged();
  };
  const save = async (input: ContactInput, id: string | number | null) => {
    if (id === null) await api.contacts.create(input);
    else await api.contacts.update(id, input);
    setEditing(null);
    changed();
  };
  const remove = (c: Contact) => {
    if (!confirm(`Delete ${c.name}?`)) return;
    api.contacts.remove(c.id).then(changed, (e: Error) => onError(e.message));
  };
  const toggleFavourite = (c: Contact) => api.contacts.update(c.id, { favourite: !c.favourite }).then(changed, (e: Error) => onError(e.message));
  const importFile = async (file: File) => {
    try {
      const text = await file.text();
      setReport(await api.contacts.import(text, importFormat(file.name, text)));
      changed();
    } catch (e) {
      onError(e instanceof Error ? e.message : String(e));
    } finally {
      if (fileRef.current) fileRef.current.value = '';
    }
  };

  const sorted = [...(contacts ?? [])].sort((a, b) => Number(b.favourite) - Number(a.favourite) || a.name.localeCompare(b.name));
  return (
    <section class="view" aria-labelledby="contacts-title">
      <div class="view-head">
        <h1 id="contacts-title">Contacts</h1>
        <div class="toolbar">
          <Button icon="plus" label="Add contact" text="Add" variant="primary" onClick={() => setEditing('new')} />
          <input ref={fileRef} id="import-file" class="sr-only" type="file" accept=".vcf,.vcard,.csv,.txt,text/vcard,text/csv" onChange={(e) => e.currentTarget.files?.[0] && importFile(e.currentTarget.files[0])} />
          <Button label="Import contacts from a vCard or CSV file" text="Import" onClick={() => fileRef.current?.click()} />
          <Button label="Export contacts as vCard" text="Export" onClick={() => api.contacts.download().catch((e: Error) => onError(e.message))} />
        </div>
      </div>
      {report ? (
        <div class="card report" role="status">
          <p>
            Imported {report.imported} contact{report.imported === 1 ? '' : 's'}
            {report.skipped.length ? `, skipped ${report.skipped.length}:` : '.'}
          </p>
          {report.skipped.length ? (
            <ul class="small">
              {report.skipped.slice(0, 20).map((s) => (
                <li key={`${s.line}-${s.reason}`}>
                  Line {s.line}: {s.message}
                </li>
              ))}
            </ul>
          ) : null}
          <Button label="Close import report" text="OK" onClick={() => setReport(null)} />
        </div>
      ) : null}
      {editing === 'new' ? <ContactForm contact={null} onSave={(c) => save(c, null)} onCancel={() => setEditing(null)} /> : null}
      <input class="search" type="search" aria-label="Search contacts" placeholder="Search name, number, organisation" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      {contacts === null ? (
        <p class="muted">Loading…</p>
      ) : sorted.length === 0 ? (
        <p class="empty">{q ? `No contacts match “${q}”.` : 'No contacts yet. Add one, or import a vCard or CSV file.'}</p>
      ) : (
        <ul class="list" aria-label="Contacts">
          {sorted.map((c) =>
            editing === c.id ? (
              <li key={c.id}>
                <ContactForm contact={c} onSave={(input) => save(input, c.id)} onCancel={() => setEditing(null)} />
              </li>
            ) : (
              <li key={c.id} class="row contact-row">
                <div class="avatar small" aria-hidden="true">
                  {initials(c.name)}
                </div>
                <div class="row-main">
                  <strong>{c.name}</strong>
                  {c.organisation ? <span class="muted small">{c.organisation}</span> : null}
                  <span class="numbers-line">
                    {c.numbers.map((n) => (
                      <button type="button" key={n.value} class="number-link" onClick={() => onCall(cleanNumber(n.value))} aria-label={`Call ${c.name}, ${n.label} ${n.value}`}>
                        <Icon name="phone" size={14} /> <span class="muted">{n.label}</span> {n.value}
                      </button>
                    ))}
                  </span>
                </div>
                <div class="row-actions">
                  <Button icon="star" label={c.favourite ? `Remove ${c.name} from favourites` : `Add ${c.name} to favourites`} aria-pressed={c.favourite} class={c.favourite ? 'fav on' : 'fav'} onClick={() => toggleFavourite(c)} />
                  <Button icon="edit" label={`Edit ${c.name}`} onClick={() => setEditing(c.id)} />
                  <Button icon="trash" label={`Delete ${c.name}`} variant="danger" onClick={() => remove(c)} />
                </div>
              </li>
            ),
          )}
        </ul>
      )}
    </section>
  );
}
