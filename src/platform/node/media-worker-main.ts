/**
 * The entry point of one media worker thread (see media-workers.ts): its own media clock, its
 * own RTP sockets (ports from its slice of the range) and the `MediaStream`s of the calls the
 * pool gave it. The main thread only sends commands and gets statistics, DTMF digits and, at
 * close, recordings back; no packet crosses between threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AudioFormat, AudioSink, AudioSource } from '../../media/audio-frame.js';
import { WavRecorder } from '../../media/audio-sink.js';
import { PcmSource, SilenceSource, ToneSource } from '../../media/audio-source.js';
import type { MediaStreamStats } from '../../media/call-stats.js';
import { defaultCodecRegistry } from '../../media/codec-registry.js';
import { MediaStream } from '../../media/media-stream.js';
import { streamAudioFormat, streamConfigFromNegotiated } from '../../media/stream-config.js';
import { NodeMediaClock } from './media-clock.js';
import type { FromWorker, MediaWorkerData, SinkDescription, SourceDescription, ToWorker } from './media-worker-protocol.js';
import { PortRange } from './port-range.js';
import { RtpSocket } from './rtp-socket.js';

interface Entry {
  socket: RtpSocket | undefined;
  stream: MediaStream | undefined;
  recorder: WavRecorder | undefined;
  /** Commands that arrived while the socket was still being opened. */
  closeRequested: string | undefined | false;
}

function makeSource(d: SourceDescription, format: AudioFormat): AudioSource | undefined {
  switch (d.kind) {
    case 'none':
      return undefined;
    case 'tone':
      return new ToneSource(format, { frequency: d.frequency, amplitude: d.amplitude, durationMs: d.durationMs });
    case 'silence':
      return new SilenceSource(format, d.durationMs);
    case 'wav':
      return new PcmSource(d.samples, format, { loop: d.loop }); // the main thread resampled the file
  }
}

function makeSink(d: SinkDescription, format: AudioFormat): WavRecorder | undefined {
  return d.kind === 'recorder' ? new WavRecorder(format) : undefined;
}

const port = parentPort;
if (!port) throw new Error('media-worker-main.ts must run in a worker thread');
const data = workerData as MediaWorkerData;
const clock = new NodeMediaClock({ intervalMs: data.clockIntervalMs });
const range = new PortRange(data.portRange);
const codecs = defaultCodecRegistry();
const entries = new Map<number, Entry>();

const post = (m: FromWorker, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);

function fail(id: number, err: unknown): void {
  post({ t: 'failed', id, reason: err instanceof Error ? err.message : String(err) });
}

async function open(id: number, address: string): Promise<void> {
  const entry: Entry = { socket: undefined, stream: undefined, recorder: undefined, closeRequested: false };
  entries.set(id, entry);
  try {
    entry.socket = await RtpSocket.open({ address, portRange: range });
  } catch (err) {
    entries.delete(id);
    const e = err as { code?: string; message?: string };
    post({ t: 'open-failed', id, code: e.code ?? 'EBIND', message: e.message ?? String(err) });
    return;
  }
  post({ t: 'opened', id, localAddress: entry.socket.localAddress, rtpPort: entry.socket.rtpPort, rtcpPort: entry.socket.rtcpPort });
  if (entry.closeRequested !== false) void close(id, entry.closeRequested);
}

function start(m: Extract<ToWorker, { t: 'start' }>): void {
  const entry = entries.get(m.id);
  if (!entry?.socket || entry.stream) return;
  try {
    const config = streamConfigFromNegotiated(m.media, codecs);
    const format = streamAudioFormat(config);
    const source = makeSource(m.source, format);
    const sink: AudioSink | undefined = (entry.recorder = makeSink(m.sink, format));
    const stream = new MediaStream(config, { transport: entry.socket, clock, source, sink });
    stream.on('dtmf', (d) => post({ t: 'dtmf', id: m.id, digit: d.digit, durationMs: d.durationMs }));
    stream.setMuted(m.muted);
    stream.start();
    entry.stream = stream;
  } catch (err) {
    fail(m.id, err);
  }
}

async function close(id: number, reason: string | undefined): Promise<void> {
  const entry = entries.get(id);
  if (!entry) {
    post({ t: 'closed', id, stats: undefined, recording: undefined });
    return;
  }
  if (!entry.socket) {
    entry.closeRequested = reason; // still opening: close once open
    return;
  }
  entries.delete(id);
  const stream = entry.stream;
  if (stream) await stream.close(reason);
  else await entry.socket.close();
  const stats = stream?.stats();
  const recording = entry.recorder?.samples();
  post({ t: 'closed', id, stats, recording }, recording ? [recording.buffer as ArrayBuffer] : undefined);
}

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'open':
      void open(m.id, m.address);
      return;
    case 'start':
      start(m);
      return;
    case 'update': {
      const s = entries.get(m.id)?.stream;
      if (!s) return;
      try {
        s.update(m.media, codecs);
      } catch (err) {
        fail(m.id, err);
      }
      return;
    }
    case 'dtmf': {
      const r = entries.get(m.id)?.stream?.sendDtmf(m.digits, m.durationMs);
      if (r && !r.ok) fail(m.id, new Error(`cannot send DTMF: ${r.reason}`));
      return;
    }
    case 'mute':
      entries.get(m.id)?.stream?.setMuted(m.muted);
      return;
    case 'close':
      void close(m.id, m.reason);
      return;
    case 'crash':
      setImmediate(() => {
        throw new Error('media worker crash requested (test)');
      });
      return;
  }
});

// Statistics of every running stream, in one message per interval.
const statsTimer = setInterval(() => {
  const ids: number[] = [];
  const stats: MediaStreamStats[] = [];
  for (const [id, e] of entries) {
    if (!e.stream) continue;
    ids.push(id);
    stats.push(e.stream.stats());
  }
  if (ids.length) post({ t: 'stats', ids, stats, clock: { ...clock.stats } });
}, data.statsIntervalMs);
statsTimer.unref();
