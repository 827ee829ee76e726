/** The dial pad: a text field that takes typing and pasting, the keypad, call and redial. */
import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Account, Contact, Id } from '../api-types.js';
import { api } from '../api.js';
import { KEYPAD, cleanNumber, isDialable, needsAccount } from '../dial.js';
import { RegistrationBadge } from './accounts.js';
import { Button, Icon, useDebounced } from './ui.js';

/** Inserts pasted text at the caret, cleaned ("+1 (555) 123-4567" → "+15551234567"). */
export function pasteCleaned(e: ClipboardEvent, value: string, setValue: (v: string) => void): void {
  const text = e.clipboardData?.getData('text') ?? '';
  const input = e.currentTarget as HTMLInputElement;
  e.preventDefault();
  const start = input.selectionStart ?? value.length;
  const end = input.selectionEnd ?? value.length;
  const before = value.slice(0, start);
  const after = value.slice(end);
  const cleaned = cleanNumber(text);
  setValue(before + cleaned + after);
  requestAnimationFrame(() => input.setSelectionRange(before.length + cleaned.length, before.length + cleaned.length));
}

interface Props {
  value: string;
  setValue: (v: string) => void;
  accounts: Account[];
  accountId: Id | null;
  setAccountId: (id: Id) => void;
  lastDialled: string | null;
  contactsVersion: number;
  inputRef: RefObject<HTMLInputElement | null>;
  onDial: (target: string) => void;
  onAddAccount: () => void;
}

export function DialPad(p: Props) {
  const account = p.accounts.find((a) => String(a.id) === String(p.accountId)) ?? null;
  const q = useDebounced(p.value.trim(), 200);
  const [matches, setMatches] = useState<Contact[]>([]);
  useEffect(() => {
    if (q.length < 2 || /^sips?:/i.test(q)) return setMatches([]);
    let live = true;
    api.contacts.list(q).then(
      (list) => live && setMatches(list.slice(0, 4)),
      () => live && setMatches([]),
    );
    return () => {
      live = false;
    };
  }, [q, p.contactsVersion]);

  const press = (digit: string) => {
    p.setValue(p.value + digit);
    p.inputRef.current?.focus();
  };
  const dial = () => {
    const target = cleanNumber(p.value);
    if (target) p.onDial(target);
  };

  return (
    <section class="view dialpad-view" aria-labelledby="dial-title">
      <h1 id="dial-title" class="sr-only">
        Dial pad
      </h1>
      <div class="from">
        {p.accounts.length > 1 ? (
          <label class="from-pick">
            <span class="muted">From</span>
            <select aria-label="Account to call from" value={String(p.accountId ?? '')}
              onChange={(e) => {
                const v = e.currentTarget.value;
                p.setAccountId(p.accounts.find((a) => String(a.id) === v)?.id ?? v);
              }}
            >
              {p.accounts.map((a) => (
                <option key={a.id} value={String(a.id)}>
                  {a.displayName ? `${a.displayName} <${a.aor}>` : a.aor}
                </option>
              ))}
            </select>
          </label>
        ) : account ? (
          <span class="muted from-one">{account.aor}</span>
        ) : null}
        {account ? (
          <RegistrationBadge account={account} />
        ) : (
          <Button label="Add an account" text="Add an account to call numbers" variant="primary" onClick={p.onAddAccount} />
        )}
      </div>
      <form
        class="dial-entry"
        onSubmit={(e) => {
          e.preventDefault();
          dial();
        }}
      >
        <input
          ref={p.inputRef}
          id="dial-input"
          class="dial-input"
          type="text"
          inputMode="tel"
          autocomplete="off"
          autocapitalize="off"
          spellcheck={false}
          aria-label="Number or SIP address to call"
          placeholder="Number or sip:address"
          value={p.value}
          onInput={(e) => p.setValue(e.currentTarget.value)}
          onPaste={(e) => pasteCleaned(e, p.value, p.setValue)}
        />
        {p.value ? <Button icon="del" label="Delete last character" onClick={() => p.setValue(p.value.slice(0, -1))} class="dial-del" /> : null}
      </form>
      {matches.length ? (
        <ul class="matches" aria-label="Matching contacts">
          {matches.flatMap((c) =>
            c.numbers.slice(0, 2).map((n) => (
              <li key={`${c.id}-${n.value}`}>
                <button type="button" class="match" onClick={() => p.onDial(cleanNumber(n.value))} aria-label={`Call ${c.name}, ${n.label} ${n.value}`}>
                  <strong>{c.name}</strong> <span class="muted">{n.label}</span> {n.value}
                </button>
              </li>
            )),
          )}
        </ul>
      ) : null}
      <div class="keypad" role="group" aria-label="Keypad">
        {KEYPAD.map((k) => (
          <button type="button" key={k.digit} class="key" onClick={() => press(k.digit)} aria-label={k.letters && k.digit !== '0' ? `${k.digit} ${k.letters}` : k.digit}>
            <span class="key-digit">{k.digit}</span>
            <span class="key-letters" aria-hidden="true">
              {k.letters}
            </span>
          </button>
        ))}
      </div>
      <div class="dial-actions">
        <Button
          icon="redial"
          label={p.lastDialled ? `Redial ${p.lastDialled}` : 'Redial (nothing dialled yet)'}
          text="Redial"
          disabled={!p.lastDialled}
          onClick={() => p.lastDialled && p.onDial(p.lastDialled)}
          variant="round"
        />
        <button type="button" class="btn btn-answer btn-call" aria-label="Call" title="Call" disabled={!isDialable(p.value) || (!account && needsAccount(p.value))} onClick={dial}>
          <Icon name="phone" size={28} />
        </button>
        <Button icon="plus" label="Add a plus sign" text="Plus" onClick={() => press('+')} variant="round" />
      </div>
    </section>
  );
}
