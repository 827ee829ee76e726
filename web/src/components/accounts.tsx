/** Accounts: the first-run form, the list with registration states, the default for dialling. */
import { useState } from 'preact/hooks';
import type { Account, AccountInput, Id, Transport } from '../api-types.js';
import { registrationLabel } from '../format.js';
import { Button, Field } from './ui.js';

/** "sip:alice@pbx.example.com" → { user: "alice", domain: "pbx.example.com" }. */
function splitAor(aor: string): { user: string; domain: string } {
  const m = /^sips?:([^@]*)@(.*)$/i.exec(aor.trim());
  return m ? { user: m[1] ?? '', domain: m[2] ?? '' } : { user: '', domain: aor.replace(/^sips?:/i, '') };
}

export function RegistrationBadge({ account }: { account: Account }) {
  const reg = account.registration;
  const state = account.enabled ? reg?.state ?? 'unregistered' : 'disabled';
  return (
    <span class={`reg reg-${state}`} role="status">
      <span class="dot" aria-hidden="true" />
      {registrationLabel(reg, account.enabled)}
    </span>
  );
}

interface FormProps {
  account: Account | null;
  firstRun?: boolean;
  onSave: (input: AccountInput, id: Id | null) => Promise<void>;
  onCancel?: () => void;
  /** First run only: go to the dial pad without an account (direct sip: calls, echo test). */
  onSkip?: () => void;
}

export function AccountForm({ account, firstRun, onSave, onCancel, onSkip }: FormProps) {
  const initial = account ? splitAor(account.aor) : { user: '', domain: '' };
  const [user, setUser] = useState(initial.user);
  const [domain, setDomain] = useState(initial.domain);
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState(account?.displayName ?? '');
  const [authUser, setAuthUser] = useState(account?.authUser ?? '');
  const [registrar, setRegistrar] = useState(account?.registrar ?? '');
  const [outboundProxy, setOutboundProxy] = useState(account?.outboundProxy ?? '');
  const [transport, setTransport] = useState<Transport>(account?.transport ?? 'udp');
  const [enabled, setEnabled] = useState(account?.enabled ?? true);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const u = user.trim().replace(/^sips?:/i, '');
    const d = domain.trim();
    if (!u || /[\s@]/.test(u)) return setError('User: the name or extension your provider gave you, without spaces or @.');
    if (!d || /\s/.test(d)) return setError('Domain: the SIP domain or server, e.g. pbx.example.com.');
    if (!account && !password) return setError('Password: needed to register.');
    setError(null);
    setBusy(true);
    const input: AccountInput = {
      aor: `sip:${u}@${d}`,
      displayName: displayName.trim(),
      authUser: authUser.trim(),
      registrar: registrar.trim(),
      outboundProxy: outboundProxy.trim(),
      transport,
      enabled,
    };
    if (password) input.password = password;
    try {
      await onSave(input, account?.id ?? null);
      setPassword('');
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const idp = account ? `acc-${account.id}` : 'acc-new';
  return (
    <form class="card form" onSubmit={submit} aria-labelledby={`${idp}-title`} noValidate>
      <h2 id={`${idp}-title`}>{firstRun ? 'Set up your phone' : account ? 'Edit account' : 'Add an account'}</h2>
      {firstRun ? <p class="lead">Enter the SIP account your PBX administrator or provider gave you.</p> : null}
      <div class="grid2">
        <Field label="User" id={`${idp}-user`} hint="Extension or user name">
          <input id={`${idp}-user`} name="user" autocomplete="username" required value={user} onInput={(e) => setUser(e.currentTarget.value)} />
        </Field>
        <Field label="Domain" id={`${idp}-domain`} hint="e.g. pbx.example.com">
          <input id={`${idp}-domain`} name="domain" required value={domain} onInput={(e) => setDomain(e.currentTarget.value)} />
        </Field>
        <Field label="Password" id={`${idp}-password`} hint={account?.hasPassword ? 'Leave empty to keep the saved password' : undefined}>
          <input
            id={`${idp}-password`}
            name="password"
            type="password"
            autocomplete="current-password"
            placeholder={account?.hasPassword ? '••••••••' : ''}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <Field label="Display name" id={`${idp}-display`} hint="Shown to the people you call">
          <input id={`${idp}-display`} name="displayName" autocomplete="name" value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
        </Field>
      </div>
      <details class="advanced" open={Boolean(account && (account.authUser || account.registrar || account.outboundProxy))}>
        <summary>Server settings (optional)</summary>
        <div class="grid2">
          <Field label="Auth user" id={`${idp}-auth`} hint="If different from the user">
            <input id={`${idp}-auth`} name="authUser" value={authUser} onInput={(e) => setAuthUser(e.currentTarget.value)} />
          </Field>
          <Field label="Registrar" id={`${idp}-registrar`} hint="Defaults to the domain">
            <input id={`${idp}-registrar`} name="registrar" placeholder="sip:pbx.example.com" value={registrar} onInput={(e) => setRegistrar(e.currentTarget.value)} />
          </Field>
          <Field label="Outbound proxy" id={`${idp}-proxy`} hint="Usually empty">
            <input id={`${idp}-proxy`} name="outboundProxy" placeholder="sip:proxy.example.com" value={outboundProxy} onInput={(e) => setOutboundProxy(e.currentTarget.value)} />
          </Field>
          <Field label="Transport" id={`${idp}-transport`}>
            <select id={`${idp}-transport`} name="transport" value={transport} onChange={(e) => setTransport(e.currentTarget.value as Transport)}>
              <option value="udp">UDP</option>
              <option value="tcp">TCP</option>
              <option value="tls">TLS</option>
            </select>
          </Field>
        </div>
      </details>
      {account ? (
        <label class="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} /> Enabled (register and take calls)
        </label>
      ) : null}
      {account ? (
        <p>
          Registration: <RegistrationBadge account={account} />
        </p>
      ) : null}
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : account ? 'Save' : firstRun ? 'Save and register' : 'Add account'}
        </button>
        {onCancel ? (
          <button type="button" class="btn" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
      {onSkip ? (
        <p class="muted">
          No account yet?{' '}
          <button type="button" class="btn" onClick={onSkip}>
            Use the phone without an account
          </button>{' '}
          for direct sip: calls and the echo test (dial <code>echo</code>).
        </p>
      ) : null}
    </form>
  );
}

interface ViewProps {
  accounts: Account[];
  /** Where other SIP phones reach this one without an account. */
  directUri: string | null;
  onSave: (input: AccountInput, id: Id | null) => Promise<void>;
  onRemove: (account: Account) => void;
  onDefault: (account: Account) => void;
}

export function AccountsView({ accounts, directUri, onSave, onRemove, onDefault }: ViewProps) {
  const [editing, setEditing] = useState<Id | 'new' | null>(accounts.length === 0 ? 'new' : null);
  const save = async (input: AccountInput, id: Id | null) => {
    await onSave(input, id);
    setEditing(null);
  };
  return (
    <section class="view" aria-labelledby="accounts-title">
      <div class="view-head">
        <h1 id="accounts-title">Accounts</h1>
        {editing === null ? <Button icon="plus" label="Add account" text="Add" variant="primary" onClick={() => setEditing('new')} /> : null}
      </div>
      {editing === 'new' ? <AccountForm account={null} onSave={save} onCancel={accounts.length ? () => setEditing(null) : undefined} /> : null}
      <ul class="list" aria-label="Accounts">
        {accounts.map((a) =>
          editing === a.id ? (
            <li key={a.id}>
              <AccountForm account={a} onSave={save} onCancel={() => setEditing(null)} />
            </li>
          ) : (
            <li key={a.id} class="row account-row">
              <div class="row-main">
                <strong>{a.displayName || a.aor.replace(/^sips?:/i, '')}</strong>
                <span class="muted">
                  {a.aor} · {a.transport.toUpperCase()}
                </span>
                <RegistrationBadge account={a} />
              </div>
              <div class="row-actions">
                <label class="check default-pick">
                  <input type="radio" name="default-account" checked={a.isDefault} onChange={() => onDefault(a)} aria-label={`Use ${a.aor} for dialling`} />
                  Default
                </label>
                <Button icon="edit" label={`Edit ${a.aor}`} onClick={() => setEditing(a.id)} />
                <Button icon="trash" label={`Delete ${a.aor}`} variant="danger" onClick={() => onRemove(a)} />
              </div>
            </li>
          ),
        )}
      </ul>
      {directUri ? (
        <p class="hint" id="direct-uri">
          Without an account, other SIP phones call this one directly at <code>{directUri}</code>.
        </p>
      ) : null}
    </section>
  );
}
