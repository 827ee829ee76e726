/** The call screen: who, state, timer, codec, quality, controls, lines (call waiting). */
import { useEffect, useState } from 'preact/hooks';
import type { CallInfo } from '../api-types.js';
import { audioBridgeStatus, onAudioStatus } from '../audio.js';
import { cleanNumber, KEYPAD, partyName } from '../dial.js';
import { callStateLabel, formatDuration, quality, toMs } from '../format.js';
import { Button, Icon, initials, useNow } from './ui.js';

export interface CallActions {
  answer(call: CallInfo): void;
  decline(call: CallInfo): void;
  hangup(call: CallInfo): void;
  mute(call: CallInfo): void;
  hold(call: CallInfo): void;
  switchTo(call: CallInfo): void;
  dtmf(call: CallInfo, digits: string): void;
  transfer(call: CallInfo, target: string): void;
}

interface Props {
  calls: CallInfo[];
  call: CallInfo;
  dtmfSent: string;
  dtmfReceived: string;
  keypadOpen: boolean;
  setKeypadOpen: (open: boolean) => void;
  transferOpen: boolean;
  setTransferOpen: (open: boolean) => void;
  actions: CallActions;
}

export function callName(c: CallInfo): string {
  return partyName(c.remote.contactName, c.remote.displayName, c.remote.uri);
}

function CallTimer({ call }: { call: CallInfo }) {
  const now = useNow(1000);
  const from = toMs(call.answeredAt) ?? (call.state === 'established' ? toMs(call.startedAt) : null);
  if (from === null) return null;
  return (
    <span class="timer" role="timer" aria-label="Call duration">
      {formatDuration(now - from)}
    </span>
  );
}

function Lines({ calls, current, actions }: { calls: CallInfo[]; current: CallInfo; actions: CallActions }) {
  return (
    <ul class="lines" aria-label="Lines">
      {calls.map((c, i) => {
        const name = callName(c);
        const isCurrent = c.id === current.id;
        return (
          <li key={c.id} class={`line ${isCurrent ? 'line-current' : ''} ${c.state === 'incoming' ? 'line-ringing' : ''}`}>
            <span class="line-no" aria-hidden="true">
              {i + 1}
            </span>
            <span class="line-who">
              <strong>{name}</strong>
              <span class="muted">{callStateLabel(c)}</span>
            </span>
            {c.state === 'incoming' ? (
              <>
                <Button icon="phone" label={`Answer ${name}${calls.length > 1 ? ', holding the other call' : ''}`} variant="answer" text="Answer" onClick={() => actions.answer(c)} />
                <Button icon="hangup" label={`Decline ${name}`} variant="danger" onClick={() => actions.decline(c)} />
              </>
            ) : isCurrent ? (
              <span class="muted line-tag">Current</span>
            ) : (
              <Button label={c.hold.local ? `Switch to ${name}` : `Show ${name}`} text={c.hold.local ? 'Switch' : 'Show'} onClick={() => actions.switchTo(c)} />
            )}
          </li>
        );
      })}
    </ul>
  );
}

export function CallScreen(p: Props) {
  const { call, actions } = p;
  const [transferTarget, setTransferTarget] = useState('');
  const name = callName(call);
  const established = call.state === 'established';
  const ringingIn = call.state === 'incoming';
  const q = established ? quality(call.stats) : null;
  const [audio, setAudio] = useState(audioBridgeStatus);
  useEffect(() => {
    setAudio(audioBridgeStatus());
    return onAudioStatus(setAudio);
  }, []);
  const audioUp = established || call.state === 'early';

  return (
    <section class="view call-view" aria-labelledby="call-who">
      {p.calls.length > 1 ? <Lines calls={p.calls} current={call} actions={actions} /> : null}
      <div class={`call-card ${ringingIn ? 'ringing' : ''}`}>
        <div class="avatar" aria-hidden="true">
          {initials(name)}
        </div>
        <h1 id="call-who" class="call-who">
          {name}
        </h1>
        <p class="muted call-uri">{call.remote.uri}</p>
        <p class="call-state">
          <span>{callStateLabel(call)}</span>
          <CallTimer call={call} />
        </p>
        {established ? (
          <p class="call-meta">
            {call.codec ? <span class="chip">{call.codec}</span> : null}
            {q ? (
              <span class={`chip quality quality-${q.level}`} aria-label={`Call quality ${q.level}: ${q.text}`}>
                <span class="dot" aria-hidden="true" />
                {q.text}
              </span>
            ) : (
              <span class="chip muted">No statistics yet</span>
            )}
          </p>
        ) : null}
        {audioUp ? (
          // One live region for the audio's state, so a drop and the reconnect are announced.
          <p class={audio.connected ? 'audio-ok muted' : `audio-note audio-${audio.state}`} role="status" aria-label="Audio" data-audio-state={audio.state}>
            <span class="dot" aria-hidden="true" /> {audio.connected ? audio.text : `Audio: ${audio.text}`}
          </p>
        ) : null}
        {call.transfer ? (
          <p class={call.transfer.state === 'failed' ? 'error' : 'muted'} role="status">
            Transfer to {call.transfer.target}: {call.transfer.state}
            {call.transfer.status ? ` (${call.transfer.status}${call.transfer.reason ? ` ${call.transfer.reason}` : ''})` : ''}
          </p>
        ) : null}
        {established && p.dtmfReceived ? <p class="muted">Received tones: {p.dtmfReceived}</p> : null}
      </div>

      {ringingIn ? (
        <div class="call-controls answer-row">
          <button type="button" class="btn btn-answer btn-big" aria-label={`Answer call from ${name} (A)`} onClick={() => actions.answer(call)}>
            <Icon name="phone" size={28} />
            <span>Answer</span>
          </button>
          <button type="button" class="btn btn-danger btn-big" aria-label={`Decline call from ${name} (X)`} onClick={() => actions.decline(call)}>
            <Icon name="hangup" size={28} />
            <span>Decline</span>
          </button>
        </div>
      ) : (
        <>
          <div class="call-controls" role="group" aria-label="Call controls">
            <Button
              icon={call.muted ? 'micOff' : 'mic'}
              label={call.muted ? 'Unmute (M)' : 'Mute (M)'}
              text={call.muted ? 'Unmute' : 'Mute'}
              aria-pressed={call.muted}
              disabled={!established}
              onClick={() => actions.mute(call)}
              variant="round"
            />
            <Button
              icon={call.hold.local ? 'play' : 'pause'}
              label={call.hold.local ? 'Resume (P)' : 'Hold (P)'}
              text={call.hold.local ? 'Resume' : 'Hold'}
              aria-pressed={call.hold.local}
              disabled={!established}
              onClick={() => actions.hold(call)}
              variant="round"
            />
            <Button
              icon="keypad"
              label="Keypad (K)"
              text="Keypad"
              aria-expanded={p.keypadOpen}
              aria-controls="call-keypad"
              disabled={!established}
              onClick={() => p.setKeypadOpen(!p.keypadOpen)}
              variant="round"
            />
            <Button
              icon="transfer"
              label="Transfer (T)"
              text="Transfer"
              aria-expanded={p.transferOpen}
              aria-controls="call-transfer"
              disabled={!established}
              onClick={() => p.setTransferOpen(!p.transferOpen)}
              variant="round"
            />
          </div>
          {p.keypadOpen && established ? (
            <div id="call-keypad" class="keypad keypad-small" role="group" aria-label="Send tones (DTMF)">
              <output class="dtmf-sent" aria-label="Tones sent">
                {p.dtmfSent || '\u00a0'}
              </output>
              {KEYPAD.map((k) => (
                <button type="button" key={k.digit} class="key" aria-label={`Send tone ${k.digit}`} onClick={() => actions.dtmf(call, k.digit)}>
                  <span class="key-digit">{k.digit}</span>
                </button>
              ))}
            </div>
          ) : null}
          {p.transferOpen && established ? (
            <form
              id="call-transfer"
              class="transfer"
              onSubmit={(e) => {
                e.preventDefault();
                const target = cleanNumber(transferTarget);
                if (target) actions.transfer(call, target);
              }}
            >
              <label for="transfer-target">Transfer {name} to</label>
              <div class="inline">
                <input id="transfer-target" type="text" inputMode="tel" autocomplete="off" value={transferTarget} onInput={(e) => setTransferTarget(e.currentTarget.value)} />
                <button type="submit" class="btn btn-primary" disabled={!cleanNumber(transferTarget)}>
                  Transfer
                </button>
              </div>
              <small class="hint">Blind transfer: your call ends when the other party is handed over.</small>
            </form>
          ) : null}
          <div class="call-controls">
            <button type="button" class="btn btn-danger btn-big" aria-label={`Hang up ${name} (H)`} onClick={() => actions.hangup(call)}>
              <Icon name="hangup" size={28} />
              <span>{call.state === 'established' ? 'Hang up' : 'Cancel'}</span>
            </button>
          </div>
        </>
      )}
    </section>
  );
}
