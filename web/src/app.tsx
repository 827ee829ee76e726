/** The app shell: connection, navigation, the phone's state, call actions, ringing, shortcuts. */
import { useEffect, useMemo, useReducer, useRef, useState } from 'preact/hooks';
import type { Account, AccountInput, CallInfo, Id, Settings } from './api-types.js';
import { api, ApiError, connectEvents, hasToken, takeLaunchFragment, type ConnectionStatus } from './api.js';
import { installAudioBridge } from './audio.js';
import { audioCallOf } from './audio-call.js';
import { AccountForm, AccountsView } from './components/accounts.js';
import { CallScreen, callName, type CallActions } from './components/call-screen.js';
import { ContactsView } from './components/contacts.js';
import { DialPad } from './components/dialpad.js';
import { HistoryView } from './components/history.js';
import { SettingsView } from './components/settings.js';
import { Button, Icon, type IconName } from './components/ui.js';
import { browserDevices, onBrowserDevices } from './devices.js';
import { needsAccount } from './dial.js';
import { callStateLabel, isIncoming } from './format.js';
import { keyAction, SHORTCUTS, type ShortcutAction } from './keyboard.js';
import { acceptHandedOverDials, handOverDial } from './link-handler.js';
import { notifyIncoming } from './notify.js';
import { defaultAccount, EMPTY_STATE, focusedCall, phoneReducer } from './phone-state.js';
import { Ringer, setRingtoneSink, unlockAudio } from './ringtone.js';

type View = 'phone' | 'history' | 'contacts' | 'accounts' | 'settings';

const NAV: { view: View; label: string; icon: IconName }[] = [
  { view: 'phone', label: 'Phone', icon: 'phone' },
  { view: 'history', label: 'History', icon: 'history' },
  { view: 'contacts', label: 'Contacts', icon: 'contacts' },
  { view: 'accounts', label: 'Accounts', icon: 'account' },
  { view: 'settings', label: 'Settings', icon: 'settings' },
];

const LAST_DIALLED = 'softphone.lastDialled';
const NO_ACCOUNT = 'softphone.noAccount';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isEditable(t: EventTarget | null): boolean {
  if (t instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'range', 'file'].includes(t.type);
  return t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || (t instanceof HTMLElement && t.isContentEditable);
}

export function App({ launchDial }: { launchDial: string | null }) {
  const [state, dispatch] = useReducer(phoneReducer, EMPTY_STATE);
  const [loaded, setLoaded] = useState(false);
  const [conn, setConn] = useState<ConnectionStatus>({ state: 'connecting' });
  const [refused, setRefused] = useState(!hasToken());
  const [handover, setHandover] = useState<string | null>(null);
  const [view, setView] = useState<View>('phone');
  const [dialText, setDialText] = useState(launchDial ?? '');
  const [accountId, setAccountId] = useState<Id | null>(null);
  const [chosenCallId, setChosenCallId] = useState<string | null>(null);
  const [keypadOpen, setKeypadOpen] = useState(false);
  const [transferOpen, setTransferOpen] = useState(false);
  const [dtmfSent, setDtmfSent] = useState<Record<string, string>>({});
  const [announcement, setAnnouncement] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const [lastDialled, setLastDialled] = useState<string | null>(() => localStorage.getItem(LAST_DIALLED));
  // A person may use the phone before having an account: direct sip: calls and the echo test.
  const [noAccountChosen, setNoAccountChosen] = useState(() => localStorage.getItem(NO_ACCOUNT) === '1');
  const dialRef = useRef<HTMLInputElement>(null);
  const ringer = useMemo(() => {
    const r = new Ringer();
    // For end-to-end tests: what rings now.
    (window as unknown as Record<string, unknown>).__softphoneRinging = () => r.playing;
    return r;
  }, []);

  const focused = focusedCall(state.calls, chosenCallId);
  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.status === 401) setRefused(true);
    setError(message(e));
  };

  // Connect: state over REST at once, then the event socket (its first event is the state again).
  useEffect(() => {
    const unlock = () => unlockAudio();
    document.addEventListener('pointerdown', unlock);
    document.addEventListener('keydown', unlock);
    const cleanup = [
      () => document.removeEventListener('pointerdown', unlock),
      () => document.removeEventListener('keydown', unlock),
    ];
    if (!hasToken()) {
      if (launchDial)
        void handOverDial(launchDial).then((taken) => taken && setHandover(`Sent ${launchDial} to your open softphone tab. You can close this one.`));
      return () => cleanup.forEach((f) => f());
    }
    api.state().then((s) => {
      dispatch({ type: 'state', data: s });
      setLoaded(true);
    }, fail);
    cleanup.push(
      connectEvents(
        (e) => {
          dispatch(e);
          if (e.type === 'state') setLoaded(true);
        },
        (s) => {
          setConn(s);
          if (s.state === 'unauthorised') setRefused(true);
        },
      ),
    );
    const takeDial = (target: string) => {
      setDialText(target);
      setView('phone');
      requestAnimationFrame(() => dialRef.current?.focus());
    };
    cleanup.push(acceptHandedOverDials(takeDial));
    const onHash = () => {
      const { dial } = takeLaunchFragment();
      if (dial) takeDial(dial);
    };
    window.addEventListener('hashchange', onHash);
    cleanup.push(() => window.removeEventListener('hashchange', onHash));
    return () => cleanup.forEach((f) => f());
  }, []);

  // The account calls go out from follows the default unless the person picked another.
  useEffect(() => {
    if (accountId === null || !state.accounts.some((a) => String(a.id) === String(accountId))) setAccountId(defaultAccount(state.accounts)?.id ?? null);
  }, [state.accounts]);

  // Redial: the newest outgoing call in the history.
  useEffect(() => {
    if (!loaded) return;
    api.history.list({ limit: 20 }).then(
      (page) => {
        const out = page.calls.find((h) => !isIncoming(h.direction));
        if (out) setLastDialled(out.remoteUri);
      },
      () => {},
    );
  }, [loaded, state.historyVersion]);

  // Ringing, notifications, announcements and the title follow the calls.
  const known = useRef(new Map<string, { state: string; name: string; muted: boolean; hold: boolean }>());
  const notes = useRef(new Map<string, () => void>());
  useEffect(() => {
    const calls = state.calls;
    const ringingIn = calls.filter((c) => c.state === 'incoming');
    const busy = calls.some((c) => c.state !== 'incoming');
    // An outgoing call whose far end rings without early media (a 180): the ringback is ours.
    const ringingOut = calls.some((c) => c.direction === 'outgoing' && c.state === 'ringing');
    const level = state.settings?.outputLevel ?? 80;
    if (ringingIn.length) ringer.start(busy ? 'waiting' : 'ring', state.settings?.ringtone ?? 'default', level);
    else if (ringingOut) ringer.start('ringback', 'default', level);
    else ringer.stop();

    for (const c of ringingIn) if (!notes.current.has(c.id)) notes.current.set(c.id, notifyIncoming(c.id, callName(c), c.remote.uri));
    for (const [id, close] of notes.current) {
      if (!ringingIn.some((c) => c.id === id)) {
        close();
        notes.current.delete(id);
      }
    }

    const said: string[] = [];
    const seen = new Set<string>();
    for (const c of calls) {
      seen.add(c.id);
      const name = callName(c);
      const before = known.current.get(c.id);
      if (!before) {
        said.push(c.state === 'incoming' ? `Incoming call from ${name}` : `${callStateLabel(c)} ${name}`);
        if (c.state === 'incoming') setView('phone');
      } else if (before.state !== c.state || before.hold !== c.hold.local) {
        said.push(`${name}: ${callStateLabel(c)}`);
      } else if (before.muted !== c.muted) {
        said.push(c.muted ? 'Microphone muted' : 'Microphone on');
      }
      known.current.set(c.id, { state: c.state, name, muted: c.muted, hold: c.hold.local });
    }
    for (const [id, k] of known.current) {
      if (!seen.has(id)) {
        said.push(`Call with ${k.name} ended`);
        known.current.delete(id);
      }
    }
    if (said.length) setAnnouncement(said.join('. '));
    if (chosenCallId !== null && !seen.has(chosenCallId)) setChosenCallId(null);
    if (calls.length === 0) {
      setKeypadOpen(false);
      setTransferOpen(false);
    }
    const first = ringingIn[0];
    document.title = first ? `Incoming call: ${callName(first)}` : state.missedCount ? `(${state.missedCount}) Softphone` : 'Softphone';
  }, [state.calls, state.missedCount, state.settings?.ringtone, state.settings?.outputLevel]);

  useEffect(() => () => ringer.stop(), []);

  // The browser is the handset: the call that is up (or has early media) gets the page's
  // microphone and speaker; any other call is let go. Which microphone and speaker is this
  // browser's choice (devices.ts, applied live); the levels are the engine's settings.
  const audio = useMemo(() => installAudioBridge(), []);
  const [devices, setDevices] = useState(browserDevices);
  useEffect(() => onBrowserDevices(setDevices), []);
  useEffect(() => {
    audio.setDevices(devices);
    setRingtoneSink(devices.output);
  }, [devices.input, devices.output]);
  useEffect(() => audio.setLevels({ input: state.settings?.inputLevel ?? 100, output: state.settings?.outputLevel ?? 100 }), [state.settings?.inputLevel, state.settings?.outputLevel]);
  const audioCallId = audioCallOf(state.calls)?.id ?? null;
  useEffect(() => {
    if (!audioCallId) return;
    audio.attach(audioCallId, devices).catch(fail);
    return () => audio.detach(audioCallId);
  }, [audioCallId]);
  useEffect(() => {
    if (!error) return;
    const t = setTimeout(() => setError(null), 10_000);
    return () => clearTimeout(t);
  }, [error]);

  const applyCall = (c: CallInfo | undefined) => {
    if (c && typeof c === 'object' && 'id' in c) dispatch({ type: 'call', data: c });
  };
  // After a change the engine sends an accounts event; a list fetched over REST could be older
  // than a registration event already applied, so it is only fetched while the socket is down.
  const connRef = useRef(conn);
  connRef.current = conn;
  const refreshAccounts = async () => {
    if (connRef.current.state !== 'open') await api.accounts.list().then((list) => dispatch({ type: 'accounts', data: list }), fail);
  };
  const savedAccount = (a: Account | undefined) => {
    if (a && typeof a === 'object') dispatch({ type: 'account-saved', data: a });
  };

  const dial = (target: string, fromAccount?: Id | null) => {
    let acc = fromAccount !== undefined && fromAccount !== null && state.accounts.some((a) => String(a.id) === String(fromAccount)) ? fromAccount : accountId ?? undefined;
    // The echo test and direct sip:/user@host calls need no account: they do not go through one
    // that is switched off (the engine would refuse the call), and echo never does.
    const via = state.accounts.find((a) => String(a.id) === String(acc));
    if (target.trim().toLowerCase() === 'echo' || (!needsAccount(target) && !via?.enabled)) acc = undefined;
    setLastDialled(target);
    localStorage.setItem(LAST_DIALLED, target);
    setView('phone');
    api.calls.dial(target, acc ?? undefined).then((c) => {
      applyCall(c);
      if (c?.id) setChosenCallId(c.id);
      setDialText('');
    }, fail);
  };

  const actions: CallActions = {
    answer: (c) => {
      setChosenCallId(c.id);
      api.calls.answer(c.id).then(applyCall, fail);
    },
    decline: (c) => api.calls.decline(c.id).then(applyCall, fail),
    hangup: (c) => api.calls.hangup(c.id).then(applyCall, fail),
    mute: (c) => api.calls.mute(c.id, !c.muted).then(applyCall, fail),
    hold: (c) => (c.hold.local ? api.calls.resume(c.id) : api.calls.hold(c.id)).then(applyCall, fail),
    switchTo: (c) => {
      setChosenCallId(c.id);
      if (c.hold.local) api.calls.switchTo(c.id).then(applyCall, fail);
    },
    dtmf: (c, digits) => {
      setDtmfSent((m) => ({ ...m, [c.id]: ((m[c.id] ?? '') + digits).slice(-32) }));
      api.calls.dtmf(c.id, digits).catch(fail);
    },
    transfer: (c, target) =>
      api.calls.transfer(c.id, target).then(() => {
        setTransferOpen(false);
        setAnnouncement(`Transferring ${callName(c)} to ${target}`);
      }, fail),
  };

  const perform = (a: ShortcutAction) => {
    const ringing = state.calls.find((c) => c.state === 'incoming');
    switch (a.type) {
      case 'answer':
        if (ringing) actions.answer(ringing);
        break;
      case 'decline':
        if (ringing) actions.decline(ringing);
        break;
      case 'hangup':
        if (focused && focused.state !== 'incoming') actions.hangup(focused);
        break;
      case 'mute':
        if (focused) actions.mute(focused);
        break;
      case 'hold':
        if (focused) actions.hold(focused);
        break;
      case 'switch': {
        const i = state.calls.findIndex((c) => c.id === focused?.id);
        const next = state.calls[(i + 1) % state.calls.length];
        if (next) actions.switchTo(next);
        break;
      }
      case 'keypad':
        setKeypadOpen(!keypadOpen);
        break;
      case 'transfer':
        setTransferOpen(true);
        requestAnimationFrame(() => document.getElementById('transfer-target')?.focus());
        break;
      case 'focus-dial':
        setView('phone');
        if (focused?.state === 'established') setKeypadOpen(true);
        else requestAnimationFrame(() => dialRef.current?.focus());
        break;
      case 'dial-digit':
        setDialText((t) => t + a.digit);
        dialRef.current?.focus();
        break;
      case 'dtmf':
        if (focused) actions.dtmf(focused, a.digit);
        break;
      case 'help':
        setHelpOpen(true);
        break;
      case 'back':
        if (helpOpen) setHelpOpen(false);
        else if (transferOpen) setTransferOpen(false);
        else if (keypadOpen) setKeypadOpen(false);
        else if (view !== 'phone') setView('phone');
        else if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
        break;
    }
  };

  // One keydown listener; it reads the latest render through a ref.
  const latest = useRef(perform);
  latest.current = perform;
  const ctxRef = useRef({ incoming: false, active: false, established: false, lines: 0, phoneScreen: true });
  ctxRef.current = {
    incoming: state.calls.some((c) => c.state === 'incoming'),
    active: Boolean(focused && focused.state !== 'incoming'),
    established: focused?.state === 'established',
    lines: state.calls.length,
    phoneScreen: view === 'phone',
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.repeat) return;
      const a = keyAction({ key: e.key, ctrlKey: e.ctrlKey, altKey: e.altKey, metaKey: e.metaKey, inEditable: isEditable(e.target) }, ctxRef.current);
      if (!a) return;
      e.preventDefault();
      latest.current(a);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const saveAccount = async (input: AccountInput, id: Id | null) => {
    savedAccount(id === null ? await api.accounts.create(input) : await api.accounts.update(id, input));
    await refreshAccounts();
  };
  const changeSettings = (patch: Partial<Settings>) => {
    dispatch({ type: 'settings', data: patch });
    api.settings.update(patch).then(
      (s) => s && dispatch({ type: 'settings', data: s }),
      (e) => {
        fail(e);
        api.settings.get().then((s) => dispatch({ type: 'settings', data: s }), () => {});
      },
    );
  };

  if (refused) {
    return (
      <main class="gate">
        <h1>Softphone</h1>
        {handover ? (
          <p role="status">{handover}</p>
        ) : (
          <>
            <p>This page needs the link the phone engine printed when it started: it carries the access token that keeps other web pages from using your phone.</p>
            <p>
              Start it with <code>softphone</code> (or <code>npm start</code>) and open the <code>http://127.0.0.1:…/#token=…</code> address it prints.
            </p>
            {launchDial ? <p>Then dial {launchDial}.</p> : null}
          </>
        )}
      </main>
    );
  }

  let main;
  if (view === 'phone') {
    if (!loaded) main = <p class="view muted">Connecting to the phone engine…</p>;
    else if (state.accounts.length === 0 && !noAccountChosen)
      main = (
        <section class="view">
          <AccountForm
            account={null}
            firstRun
            onSave={saveAccount}
            onSkip={() => {
              localStorage.setItem(NO_ACCOUNT, '1');
              setNoAccountChosen(true);
            }}
          />
        </section>
      );
    else if (focused)
      main = (
        <CallScreen
          calls={state.calls}
          call={focused}
          dtmfSent={dtmfSent[focused.id] ?? ''}
          dtmfReceived={state.dtmfReceived[focused.id] ?? ''}
          keypadOpen={keypadOpen}
          setKeypadOpen={setKeypadOpen}
          transferOpen={transferOpen}
          setTransferOpen={setTransferOpen}
          actions={actions}
        />
      );
    else
      main = (
        <>
        {state.lastEnded && Date.now() - state.lastEnded.at < 15_000 && state.lastEnded.outcome !== 'answered' ? (
          <p class="ended-note" role="status">
            Call with {state.lastEnded.name} ended{state.lastEnded.reason ? `: ${state.lastEnded.reason}` : ''}
          </p>
        ) : null}
        <DialPad
          value={dialText}
          setValue={setDialText}
          accounts={state.accounts}
          accountId={accountId}
          setAccountId={setAccountId}
          lastDialled={lastDialled}
          contactsVersion={state.contactsVersion}
          inputRef={dialRef}
          onDial={(t) => dial(t)}
          onAddAccount={() => setView('accounts')}
        />
        </>
      );
  } else if (view === 'history') {
    main = <HistoryView version={state.historyVersion} missedCount={state.missedCount} onCall={(t, acc) => dial(t, acc)} onError={setError} />;
  } else if (view === 'contacts') {
    main = <ContactsView version={state.contactsVersion} onCall={(t) => dial(t)} onError={setError} onChanged={() => {}} />;
  } else if (view === 'accounts') {
    main = (
      <AccountsView
        accounts={state.accounts}
        directUri={state.directUri}
        onSave={saveAccount}
        onRemove={(a) =>
          confirm(`Delete the account ${a.aor}?`) &&
          api.accounts.remove(a.id).then(() => {
            dispatch({ type: 'accounts', data: state.accounts.filter((x) => String(x.id) !== String(a.id)) });
            void refreshAccounts();
          }, fail)
        }
        onDefault={(a) => {
          setAccountId(a.id);
          api.accounts.makeDefault(a.id).then((saved) => {
            savedAccount(saved);
            // The others lose the flag: known from the list (the engine's accounts event, or REST).
            dispatch({ type: 'accounts', data: state.accounts.map((x) => ({ ...x, isDefault: String(x.id) === String(a.id) })) });
            void refreshAccounts();
          }, fail);
        }}
      />
    );
  } else {
    main = state.settings ? <SettingsView settings={state.settings} ringer={ringer} onChange={changeSettings} /> : <p class="view muted">Loading settings…</p>;
  }

  const ringing = state.calls.find((c) => c.state === 'incoming');
  return (
    <div class="app">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <nav class="nav" aria-label="Sections">
        <span class="brand" aria-hidden="true">
          softphone
        </span>
        {NAV.map((n) => (
          <button type="button" key={n.view} class={`nav-item ${view === n.view ? 'active' : ''}`} aria-current={view === n.view ? 'page' : undefined} onClick={() => setView(n.view)}>
            <Icon name={n.icon} />
            <span class="nav-label">{n.label}</span>
            {n.view === 'history' && state.missedCount > 0 ? (
              <span class="badge" aria-label={`${state.missedCount} missed`}>
                {state.missedCount}
              </span>
            ) : null}
            {n.view === 'phone' && state.calls.length > 0 ? <span class={`badge ${ringing ? 'badge-ring' : 'badge-call'}`} aria-label={`${state.calls.length} call${state.calls.length > 1 ? 's' : ''}`} /> : null}
          </button>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        {conn.state === 'waiting' ? (
          <p class="banner" role="status">
            Lost the connection to the phone engine; reconnecting…
          </p>
        ) : null}
        {ringing && view !== 'phone' ? (
          <div class="banner banner-ring" role="alert">
            Incoming call from <strong>{callName(ringing)}</strong>
            <Button icon="phone" label={`Answer ${callName(ringing)}`} text="Answer" variant="answer" onClick={() => actions.answer(ringing)} />
            <Button icon="hangup" label={`Decline ${callName(ringing)}`} variant="danger" onClick={() => actions.decline(ringing)} />
          </div>
        ) : null}
        {main}
      </main>
      <div class="sr-only" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
      {error ? (
        <div class="toast" role="alert">
          <span>{error}</span>
          <Button label="Dismiss" text="×" onClick={() => setError(null)} />
        </div>
      ) : null}
      {helpOpen ? <Help onClose={() => setHelpOpen(false)} /> : null}
    </div>
  );
}

function Help({ onClose }: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div class="modal-back" onClick={onClose}>
      <div class="modal card" role="dialog" aria-modal="true" aria-labelledby="help-title" onClick={(e) => e.stopPropagation()}>
        <h2 id="help-title">Keyboard shortcuts</h2>
        <dl class="shortcuts">
          {SHORTCUTS.map((k) => (
            <div key={k.keys}>
              <dt>
                <kbd>{k.keys}</kbd>
              </dt>
              <dd>{k.does}</dd>
            </div>
          ))}
        </dl>
        <button ref={close} type="button" class="btn btn-primary" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
