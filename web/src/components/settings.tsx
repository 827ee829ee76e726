/** Settings: codecs and order, DTMF, audio devices and levels, ringtone, DND, auto-answer, browser. */
import { useState } from 'preact/hooks';
import type { AudioDevice, DndMode, DtmfMode, Settings } from '../api-types.js';
import { KNOWN_CODECS } from '../api-types.js';
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

function DeviceField({ id, label, value, devices, onChange }: { id: string; label: string; value: string | null; devices: AudioDevice[] | undefined; onChange: (v: string | null) => void }) {
  return (
    <Field label={label} id={id} hint={devices ? undefined : 'The device name as the engine’s audio system knows it; empty for the system default.'}>
      {devices ? (
        <select id={id} value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value || null)}>
          <option value="">System default</option>
          {devices.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
      ) : (
        <input id={id} type="text" placeholder="System default" value={value ?? ''} onChange={(e) => onChange(e.currentTarget.value.trim() || null)} />
      )}
    </Field>
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
            <option value="rfc4733">RTP events (RFC 4733), recommended</option>
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

      <fieldset class="card">
        <legend>Audio</legend>
        <div class="grid2">
          <DeviceField id="set-in" label="Microphone" value={s.inputDevice} devices={s.devices?.inputs} onChange={(v) => onChange({ inputDevice: v })} />
          <Field label={`Microphone level: ${s.inputLevel}%`} id="set-in-level">
            <input id="set-in-level" type="range" min={0} max={100} value={s.inputLevel} onChange={(e) => onChange({ inputLevel: Number(e.currentTarget.value) })} />
          </Field>
          <DeviceField id="set-out" label="Speaker" value={s.outputDevice} devices={s.devices?.outputs} onChange={(v) => onChange({ outputDevice: v })} />
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
