/**
 * Settings: codecs and order, DTMF, DND, auto-answer; the browser handset's microphone and
 * speaker (this browser's own devices, kept in this browser), levels and ringtone; the
 * engine's system audio devices (kept in the engine); notifications and links; shortcuts.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { AudioDevice, DndMode, DtmfMode, Settings, SystemAudioDevices } from '../api-types.js';
import { KNOWN_CODECS } from '../api-types.js';
import { allowDeviceNames, browserDevices, chooseBrowserDevice, listDevices, onBrowserDevices, onDeviceChange, outputChoice, type DeviceList, type DeviceOption } from '../devices.js';
import { SHORTCUTS } from '../keyboard.js';
import { registerLinkHandlers } from '../link-handler.js';
import { notificationPermission, requestNotifications } from '../notify.js';
import { RINGTONES, type Ringer } from '../ringtone.js';
import { Button, Field } from './ui.js';

interface Props {
  settings: Settings;
  ringer: Ringer;
  onChange: (patch: Partial<Settings>) => void;
}

function DeviceField({
  id,
  label,
  value,
  devices,
  onChange,
  unset = 'System default',
}: {
  id: string;
  label: string;
  value: string | null;
  devices: AudioDevice[] | undefined;
  onChange: (v: string | null) => void;
  /** What no choice means. */
  unset?: string;
}) {
  const hint = devices ? undefined : `A device name; empty: ${unset.toLowerCase()}.`;
  return (
    <Field label={label} id={id} hint={hint}>
      {devices ? (
        <select id={id} value={value ?? ''} aria-describedby="engine-audio-hint" onChange={(e) => onChange(e.currentTarget.value || null)}>
          <option value="">{unset}</option>
          {devices.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
              {d.isDefault ? ' (default)' : ''}
            </option>
          ))}
          {/* A name the list does not have (an ALSA PCM by name, a device unplugged now) stays as set. */}
          {value && !devices.some((d) => d.id === value) ? <option value={value}>{value}</option> : null}
        </select>
      ) : (
        <input id={id} type="text" placeholder={unset} aria-describedby={`${id}-hint engine-audio-hint`} value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value.trim() || null)} />
      )}
    </Field>
  );
}

/** This browser's microphones and speakers, listed again when devices come and go. */
function useBrowserDeviceList(): { list: DeviceList | null; refresh: () => void } {
  const [list, setList] = useState<DeviceList | null>(null);
  const refresh = () => {
    listDevices().then(setList, () => setList({ inputs: [], outputs: [], defaultInput: null, defaultOutput: null, labelled: false }));
  };
  useEffect(() => {
    refresh();
    return onDeviceChange(refresh);
  }, []);
  return { list, refresh };
}

/** A browser device picker: "System default" first, then the devices, then a saved one that is not listed now. */
function BrowserDeviceSelect(p: { id: string; value: string | null; options: DeviceOption[]; defaultLabel: string | null; describedBy: string; onChange: (v: string | null) => void }) {
  const missing = p.value !== null && !p.options.some((o) => o.id === p.value);
  return (
    <select id={p.id} value={p.value ?? ''} aria-describedby={p.describedBy} onChange={(e) => p.onChange(e.currentTarget.value || null)}>
      <option value="">{p.defaultLabel ? `System default (${p.defaultLabel})` : 'System default'}</option>
      {p.options.map((o) => (
        <option key={o.id} value={o.id}>
          {o.label}
        </option>
      ))}
      {missing ? <option value={p.value!}>Chosen earlier (not connected now)</option> : null}
    </select>
  );
}

function BrowserAudio({ s, ringer, onChange }: { s: Settings; ringer: Ringer; onChange: (patch: Partial<Settings>) => void }) {
  const { list, refresh } = useBrowserDeviceList();
  const [chosen, setChosen] = useState(browserDevices);
  useEffect(() => onBrowserDevices(setChosen), []);
  const [asking, setAsking] = useState(false);
  const [askResult, setAskResult] = useState<string | null>(null);
  const output = outputChoice();
  const ask = () => {
    setAsking(true);
    allowDeviceNames().then((problem) => {
      setAsking(false);
      setAskResult(problem ? `Could not list the devices: ${problem}.` : null);
      refresh();
    });
  };

  return (
    <fieldset class="card">
      <legend>Audio in this browser</legend>
      <p class="hint" id="browser-audio-hint">
        This page is the phone’s handset: calls use this browser’s microphone and speaker. These choices are kept in this browser only.
      </p>
      {list && !list.labelled ? (
        <div class="device-names" role="group" aria-labelledby="device-names-text">
          <p id="device-names-text" class="hint">
            The browser names its devices only after this page may use the microphone.
          </p>
          <Button label="Allow the microphone to list devices by name" text={asking ? 'Asking…' : 'Show device names'} disabled={asking} onClick={ask} />
        </div>
      ) : null}
      {askResult ? (
        <p class="error" role="status">
          {askResult}
        </p>
      ) : null}
      <div class="grid2">
        <Field label="Microphone" id="set-browser-in">
          <BrowserDeviceSelect
            id="set-browser-in"
            value={chosen.input}
            options={list?.inputs ?? []}
            defaultLabel={list?.defaultInput ?? null}
            describedBy="browser-audio-hint"
            onChange={(v) => chooseBrowserDevice('input', v)}
          />
        </Field>
        <Field label={`Microphone level: ${s.inputLevel}%`} id="set-in-level">
          <input id="set-in-level" type="range" min={0} max={100} value={s.inputLevel} onChange={(e) => onChange({ inputLevel: Number(e.currentTarget.value) })} />
        </Field>
        {output ? (
          <Field label="Speaker" id="set-browser-out">
            <BrowserDeviceSelect
              id="set-browser-out"
              value={chosen.output}
              options={list?.outputs ?? []}
              defaultLabel={list?.defaultOutput ?? null}
              describedBy="browser-audio-hint"
              onChange={(v) => chooseBrowserDevice('output', v)}
            />
          </Field>
        ) : (
          <div class="field">
            <span class="field-label">Speaker</span>
            <p class="note" role="note" id="set-browser-out-note">
              This browser cannot choose the speaker: calls play on the system’s default output (change it in the system’s sound settings).
            </p>
          </div>
        )}
        <Field label={`Speaker level: ${s.outputLevel}%`} id="set-out-level">
          <input id="set-out-level" type="range" min={0} max={100} value={s.outputLevel} onChange={(e) => onChange({ outputLevel: Number(e.currentTarget.value) })} />
        </Field>
      </div>
      <Field label="Ringtone" id="set-ring">
        <div class="inline">
          <select id="set-ring" value={s.ringtone} onChange={(e) => onChange({ ringtone: e.currentTarget.value })}>
            {RINGTONES.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
            {RINGTONES.some((r) => r.id === s.ringtone) ? null : <option value={s.ringtone}>{s.ringtone}</option>}
          </select>
          <Button label="Play the ringtone" text="Play" onClick={() => ringer.preview(s.ringtone, s.outputLevel)} />
        </div>
      </Field>
    </fieldset>
  );
}

/**
 * The engine's own sound devices ('audio.handset': 'system'): chosen from the list the engine
 * gives (its sound system's names), or typed when it has none (the reason shown).
 */
function EngineAudio({ s, onChange }: { s: Settings; onChange: (patch: Partial<Settings>) => void }) {
  const [found, setFound] = useState<SystemAudioDevices | null>(null);
  useEffect(() => {
    api.settings.systemAudioDevices().then(setFound, (e: unknown) => setFound({ backend: null, inputs: [], outputs: [], error: e instanceof Error ? e.message : String(e) }));
  }, []);
  const listed = found && (found.inputs.length > 0 || found.outputs.length > 0);
  const inputs = listed ? found.inputs : s.devices?.inputs;
  const outputs = listed ? found.outputs : s.devices?.outputs;
  return (
    <fieldset class="card">
      <legend>Engine system audio</legend>
      <p class="hint" id="engine-audio-hint">
        The engine’s own sound devices{found?.backend ? ` (${found.backend === 'pulse' ? 'PulseAudio' : 'ALSA'})` : ''}, kept in the engine’s profile. They are not this
        page’s microphone and speaker. With “the system devices”, a call no page has taken uses them, at the levels above (a page that opens the call takes over), and
        incoming calls ring on the ringer with the ringtone above; the change applies to calls from then on.
        {found?.error ? ` No list of devices: ${found.error}.` : ''}
      </p>
      <Field label="Calls without a page use" id="set-handset">
        <select id="set-handset" value={s.handset ?? 'browser'} aria-describedby="engine-audio-hint" onChange={(e) => onChange({ handset: e.currentTarget.value === 'system' ? 'system' : 'browser' })}>
          <option value="browser">No audio until a page opens the call</option>
          <option value="system">The system devices below</option>
        </select>
      </Field>
      <div class="grid2">
        <DeviceField id="set-in" label="System microphone" value={s.inputDevice} devices={inputs} onChange={(v) => onChange({ inputDevice: v })} />
        <DeviceField id="set-out" label="System speaker" value={s.outputDevice} devices={outputs} onChange={(v) => onChange({ outputDevice: v })} />
        <DeviceField id="set-ringer" label="System ringer" value={s.ringDevice ?? null} devices={outputs} unset="The system speaker" onChange={(v) => onChange({ ringDevice: v })} />
      </div>
    </fieldset>
  );
}

export function SettingsView({ settings: s, ringer, onChange }: Props) {
  const [perm, setPerm] = useState(notificationPermission());
  const [linkResult, setLinkResult] = useState<string | null>(null);
  const offered = s.codecs;
  const others = KNOWN_CODECS.filter((c) => !offered.some((o) => o.toLowerCase() === c.toLowerCase()));
  const move = (i: number, by: number) => {
    const list = offered.slice();
    const [c] = list.splice(i, 1);
    if (c === undefined) return;
    list.splice(i + by, 0, c);
    onChange({ codecs: list });
  };

  return (
    <section class="view settings" aria-labelledby="settings-title">
      <div class="view-head">
        <h1 id="settings-title">Settings</h1>
      </div>

      <fieldset class="card">
        <legend>Codecs</legend>
        <p class="hint">Offered in this order; the first one both sides support is used.</p>
        <ol class="codecs" aria-label="Codecs in order of preference">
          {offered.map((c, i) => (
            <li key={c} class="inline">
              <label class="check">
                <input type="checkbox" checked disabled={offered.length === 1} onChange={() => onChange({ codecs: offered.filter((x) => x !== c) })} aria-label={`Offer ${c}`} />
                {c}
              </label>
              <Button label={`Move ${c} up`} text="↑" disabled={i === 0} onClick={() => move(i, -1)} />
              <Button label={`Move ${c} down`} text="↓" disabled={i === offered.length - 1} onClick={() => move(i, 1)} />
            </li>
          ))}
          {others.map((c) => (
            <li key={c} class="inline off">
              <label class="check">
                <input type="checkbox" checked={false} onChange={() => onChange({ codecs: [...offered, c] })} aria-label={`Offer ${c}`} />
                {c}
              </label>
            </li>
          ))}
        </ol>
      </fieldset>

      <fieldset class="card">
        <legend>Calls</legend>
        <Field label="DTMF (keypad tones)" id="set-dtmf">
          <select id="set-dtmf" value={s.dtmfMode} onChange={(e) => onChange({ dtmfMode: e.currentTarget.value as DtmfMode })}>
            <option value="rfc4733">RFC 4733 events (recommended)</option>
            <option value="info">SIP INFO</option>
            <option value="inband">In the audio (in-band)</option>
          </select>
        </Field>
        <label class="check">
          <input type="checkbox" checked={s.dnd.enabled} onChange={(e) => onChange({ dnd: { ...s.dnd, enabled: e.currentTarget.checked } })} /> Do not disturb
        </label>
        <div class="indent" role="radiogroup" aria-label="When do not disturb is on">
          <label class="check">
            <input type="radio" name="dnd-mode" checked={s.dnd.mode === 'reject'} disabled={!s.dnd.enabled} onChange={() => onChange({ dnd: { ...s.dnd, mode: 'reject' as DndMode } })} /> Reject calls as busy (486)
          </label>
          <label class="check">
            <input type="radio" name="dnd-mode" checked={s.dnd.mode === 'forward'} disabled={!s.dnd.enabled} onChange={() => onChange({ dnd: { ...s.dnd, mode: 'forward' as DndMode } })} /> Forward calls to
          </label>
          <input
            type="text"
            aria-label="Forward calls to"
            placeholder="Number or sip:address"
            disabled={!s.dnd.enabled || s.dnd.mode !== 'forward'}
            value={s.dnd.target ?? ''}
            onChange={(e) => onChange({ dnd: { ...s.dnd, target: e.currentTarget.value.trim() || null } })}
          />
        </div>
        <label class="check">
          <input type="checkbox" checked={s.autoAnswer.enabled} onChange={(e) => onChange({ autoAnswer: { ...s.autoAnswer, enabled: e.currentTarget.checked } })} /> Answer calls automatically
        </label>
        <div class="indent">
          <Field label="after (seconds of ringing)" id="set-aa-delay">
            <input
              id="set-aa-delay"
              class="narrow"
              type="number"
              min={0}
              max={60}
              step={1}
              disabled={!s.autoAnswer.enabled}
              value={s.autoAnswer.delayS}
              onChange={(e) => onChange({ autoAnswer: { ...s.autoAnswer, delayS: Math.max(0, Math.min(60, Number(e.currentTarget.value) || 0)) } })}
            />
          </Field>
        </div>
      </fieldset>

      <BrowserAudio s={s} ringer={ringer} onChange={onChange} />

      <EngineAudio s={s} onChange={onChange} />

      <fieldset class="card">
        <legend>This browser</legend>
        <p>
          Notifications for incoming calls:{' '}
          {perm === 'granted' ? (
            <strong>on</strong>
          ) : perm === 'denied' ? (
            <span>blocked in the browser’s site settings</span>
          ) : perm === 'unsupported' ? (
            <span>not supported here</span>
          ) : (
            <Button label="Allow notifications for incoming calls" text="Allow" onClick={() => requestNotifications().then(setPerm)} />
          )}
        </p>
        <p>
          sip: and tel: links:{' '}
          <Button
            label="Open sip: and tel: links with this softphone"
            text="Handle them here"
            onClick={() => {
              const r = registerLinkHandlers();
              setLinkResult(r.ok ? 'Asked the browser; confirm in its prompt.' : r.message);
            }}
          />{' '}
          {linkResult ? <span role="status">{linkResult}</span> : null}
        </p>
      </fieldset>

      <fieldset class="card">
        <legend>Keyboard shortcuts</legend>
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
      </fieldset>
    </section>
  );
}
