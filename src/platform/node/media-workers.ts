/**
 * Media worker threads: the RTP of many calls spread over a pool of `worker_threads`, so one
 * softphone process can use every core for media (docs/bench-media.md: one Node thread tops
 * out well below the 100k packets/s of 1000 G.711 calls).
 *
 * Each worker (media-worker-main.ts) runs its own `NodeMediaClock`, binds its own
 * `RtpSocket`s from its slice of the RTP port range, and runs the sans-IO `RtpStream`s inside
 * `MediaStream`s. Packets never cross threads; commands go in and statistics, DTMF digits and
 * recordings come out, as structured-clone messages (media-worker-protocol.ts).
 *
 * ```
 *  main thread                                   worker k (least loaded at openRtp)
 *  Call ─ openRtp() ──────── open ─────────────▶ RtpSocket.open (ports of slice k)
 *       ◀ WorkerRtpTransport (ports) ◀ opened ──
 *  Call ─ createStream(nm, t, audio) ─ start ──▶ MediaStream(config, socket, clock k)
 *       ◀ WorkerMediaStream ◀ stats (500 ms), dtmf, failed
 *  Call ─ close() ─────────── close ───────────▶ RTCP BYE, sockets closed, ports freed
 *       ◀ final stats + recording ◀ closed ─────
 * ```
 *
 * `createMediaWorkerEnvironment(pool, …)` is a `MediaEnvironment` (phone/call.ts): a call gets
 * a proxy that answers `stats()` synchronously with the latest snapshot the worker posted.
 * Audio endpoints cross as descriptions (tone, silence, a WAV file's samples, a WavRecorder
 * whose samples come back at close); a call whose source or sink is anything else runs its
 * stream in the main thread instead, on the same ports (logged). When a worker dies, the
 * calls on it are told (`failed`), their closes resolve at once, and a new worker takes its
 * slice of ports.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { AudioSink, AudioSource } from '../../media/audio-frame.js';
import { WavRecorder } from '../../media/audio-sink.js';
import { SilenceSource, ToneSource, WavFileSource } from '../../media/audio-source.js';
import type { MediaStreamStats } from '../../media/call-stats.js';
import type { CodecRegistry } from '../../media/codec-registry.js';
import { defaultCodecRegistry } from '../../media/codec-registry.js';
import { MediaStream } from '../../media/media-stream.js';
import type { DatagramHandler, MediaTicker, RtpTransport } from '../../media/media-stream.js';
import { MediaError } from '../../media/result.js';
import type { DtmfSendResult } from '../../media/rtp-stream.js';
import { streamConfigFromNegotiated } from '../../media/stream-config.js';
import type { RtpStreamConfig } from '../../media/stream-config.js';
import type { CallMediaStream, MediaEnvironment } from '../../phone/call.js';
import type { NegotiatedMedia } from '../../sdp/index.js';
import type { Logger } from '../logger.js';
import { workerThreads } from './lazy-modules.js';
import { silentLogger } from '../logger.js';
import { MainThreadStream, StreamEmitter, zeroStats } from './main-thread-stream.js';
import type { MediaStreamEvents } from './main-thread-stream.js';
import { sharedMediaClock } from './media-clock.js';
import type { FromWorker, MediaWorkerData, SinkDescription, SourceDescription, ToWorker, WorkerClockStats } from './media-worker-protocol.js';
import { withYoungGeneration } from './young-generation.js';

export interface MediaWorkerPoolOptions {
  /** Worker threads; default os.availableParallelism(). */
  workers?: number;
  /** The RTP port range, sliced evenly between the workers. Default 10000-20000. */
  rtpPorts?: { min: number; max: number };
  /** How often each worker posts its streams' statistics. Default 500 ms. */
  statsIntervalMs?: number;
  /** Media clock period in each worker. Default 10 ms. */
  clockIntervalMs?: number;
  /** Replacement workers started after crashes, at most. Default 8. */
  maxRestarts?: number;
  logger?: Logger;
}

export class MediaWorkerError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MediaWorkerError';
    this.code = code;
  }
}

/** The worker entry beside this file: .ts under tsx (tests, benches), .js once built. */
function workerEntry(): URL {
  const self = import.meta.url;
  return new URL(self.endsWith('.ts') ? './media-worker-main.ts' : './media-worker-main.js', self);
}

/**
 * From TypeScript sources (tests, benches under tsx) the worker's entry needs tsx's loader,
 * which a worker does not get from `--import tsx` in Node 20: a small bootstrap registers it
 * and then imports the entry. Built (.js), the entry runs as it is.
 */
function startWorker(entry: URL, named: { workerData: MediaWorkerData; name: string }): Worker {
  const { Worker } = workerThreads();
  const options = withYoungGeneration(named);
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(code, { ...options, eval: true });
}

interface Pending {
  resolve(m: Extract<FromWorker, { t: 'opened' }>): void;
  reject(err: Error): void;
}

/** One worker thread and what the main thread knows of it. */
class WorkerSlot {
  readonly index: number;
  worker: Worker;
  alive = true;
  /** Transports open on this worker (the load the pool balances). */
  readonly transports = new Map<number, WorkerRtpTransport>();
  readonly opening = new Map<number, Pending>();
  clock: WorkerClockStats = { ticks: 0, lateTicks: 0, maxLatenessMs: 0, streams: 0 };

  constructor(index: number, worker: Worker) {
    this.index = index;
    this.worker = worker;
  }

  post(m: ToWorker, transfer?: ArrayBuffer[]): void {
    if (this.alive) this.worker.postMessage(m, transfer);
  }
}

export class MediaWorkerPool {
  readonly size: number;
  private readonly opts: Required<Omit<MediaWorkerPoolOptions, 'logger' | 'workers'>>;
  private readonly log: Logger;
  private readonly slots: WorkerSlot[] = [];
  private readonly slices: { min: number; max: number }[] = [];
  private nextId = 1;
  private restarts = 0;
  private closed = false;

  constructor(options: MediaWorkerPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.workers ?? availableParallelism()));
    this.opts = {
      rtpPorts: options.rtpPorts ?? { min: 10000, max: 20000 },
      statsIntervalMs: options.statsIntervalMs ?? 500,
      clockIntervalMs: options.clockIntervalMs ?? 10,
      maxRestarts: options.maxRestarts ?? 8,
    };
    this.log = options.logger ?? silentLogger;
    const { min, max } = this.opts.rtpPorts;
    const lo = min + (min % 2);
    const pairs = Math.floor((max - lo + 1) / 2);
    const per = Math.floor(pairs / this.size);
    if (per < 1) throw new MediaWorkerError('ports-too-few', `RTP port range ${min}-${max} has fewer pairs than the ${this.size} media workers`);
    for (let i = 0; i < this.size; i++) {
      const sliceMin = lo + 2 * per * i;
      this.slices.push({ min: sliceMin, max: i === this.size - 1 ? max : sliceMin + 2 * per - 1 });
      this.slots.push(this.spawn(i));
    }
  }

  /** Per worker: open transports and the media clock's health, for benches and diagnostics. */
  get load(): { index: number; alive: boolean; transports: number; clock: WorkerClockStats }[] {
    return this.slots.map((s) => ({ index: s.index, alive: s.alive, transports: s.transports.size, clock: { ...s.clock } }));
  }

  /** Open an RTP/RTCP socket pair on the least loaded worker. */
  openRtp(address: string): Promise<WorkerRtpTransport> {
    if (this.closed) return Promise.reject(new MediaWorkerError('closed', 'the media worker pool is closed'));
    const live = this.slots.filter((s) => s.alive);
    if (!live.length) return Promise.reject(new MediaWorkerError('no-workers', 'no media worker is running'));
    const slot = live.reduce((a, b) => (b.transports.size + b.opening.size < a.transports.size + a.opening.size ? b : a));
    const id = this.nextId++;
    return new Promise<WorkerRtpTransport>((resolve, reject) => {
      slot.opening.set(id, {
        resolve: (m) => {
          const t = new WorkerRtpTransport(slot, id, m.localAddress, m.rtpPort, m.rtcpPort);
          slot.transports.set(id, t);
          resolve(t);
        },
        reject,
      });
      slot.post({ t: 'open', id, address });
    });
  }

  /** Test hook: make worker `index` die as a bug would (an uncaught exception). */
  crashWorker(index: number): void {
    this.slots[index]?.post({ t: 'crash' });
  }

  /** Stop every worker; streams still running end with them. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.slots.map(async (s) => {
        const wasAlive = s.alive;
        s.alive = false;
        if (wasAlive) await s.worker.terminate();
        this.fail(s, 'the media worker pool was closed');
      }),
    );
  }

  private spawn(index: number): WorkerSlot {
    const data: MediaWorkerData = { index, portRange: this.slices[index]!, statsIntervalMs: this.opts.statsIntervalMs, clockIntervalMs: this.opts.clockIntervalMs };
    const worker = startWorker(workerEntry(), { workerData: data, name: `media-${index}` });
    const slot = new WorkerSlot(index, worker);
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    let error: Error | undefined;
    worker.on('error', (err) => {
      error = err;
      this.log.error('media worker failed', { worker: index, error: err.message });
    });
    // Calls keep the process alive through their SIP sockets; idle workers should not. After
    // the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    worker.on('exit', (code) => {
      if (!slot.alive) return;
      slot.alive = false;
      const why = error ? `crashed: ${error.message}` : `exited with code ${code}`;
      this.log.error('media worker stopped', { worker: index, code, calls: slot.transports.size });
      this.fail(slot, `media worker ${index} ${why}`);
      if (!this.closed && this.restarts < this.opts.maxRestarts) {
        this.restarts++;
        this.slots[index] = this.spawn(index);
        this.log.info('media worker restarted', { worker: index, restarts: this.restarts });
      }
    });
    return slot;
  }

  private fail(slot: WorkerSlot, reason: string): void {
    for (const p of slot.opening.values()) p.reject(new MediaWorkerError('worker-died', reason));
    slot.opening.clear();
    const transports = [...slot.transports.values()];
    slot.transports.clear();
    for (const t of transports) t.workerDied(reason);
  }

  private onMessage(slot: WorkerSlot, m: FromWorker): void {
    switch (m.t) {
      case 'opened': {
        const p = slot.opening.get(m.id);
        slot.opening.delete(m.id);
        p?.resolve(m);
        return;
      }
      case 'open-failed': {
        const p = slot.opening.get(m.id);
        slot.opening.delete(m.id);
        p?.reject(new MediaWorkerError(m.code, m.message));
        return;
      }
      case 'stats':
        slot.clock = m.clock;
        for (let i = 0; i < m.ids.length; i++) slot.transports.get(m.ids[i]!)?.stream?.snapshot(m.stats[i]!);
        return;
      case 'dtmf':
        slot.transports.get(m.id)?.stream?.dtmf(m.digit, m.durationMs);
        return;
      case 'failed':
        slot.transports.get(m.id)?.stream?.failed(m.reason);
        return;
      case 'closed': {
        const t = slot.transports.get(m.id);
        slot.transports.delete(m.id);
        t?.closedByWorker(m.stats, m.recording);
        return;
      }
    }
  }
}

/**
 * The sockets of one call, held by a worker: the ports are known here (they go in our SDP);
 * the send methods and handlers are unused, since the stream runs beside the sockets.
 */
export class WorkerRtpTransport implements RtpTransport {
  onRtp: DatagramHandler | undefined;
  onRtcp: DatagramHandler | undefined;
  stream: WorkerMediaStream | undefined;
  private closing: Promise<void> | undefined;
  private resolveClosed: (() => void) | undefined;
  private dead: string | undefined;

  constructor(
    private readonly slot: WorkerSlot,
    readonly id: number,
    readonly localAddress: string,
    readonly rtpPort: number,
    readonly rtcpPort: number,
  ) {}

  get worker(): number {
    return this.slot.index;
  }

  sendRtp(): void {}
  sendRtcp(): void {}

  post(m: ToWorker, transfer?: ArrayBuffer[]): void {
    if (!this.dead) this.slot.post(m, transfer);
  }

  /** Close the sockets (and the stream, if one runs there); resolves once the worker did. */
  close(reason?: string): Promise<void> {
    if (this.closing) return this.closing;
    if (this.dead) return (this.closing = Promise.resolve());
    this.closing = new Promise<void>((resolve) => (this.resolveClosed = resolve));
    this.post({ t: 'close', id: this.id, reason });
    return this.closing;
  }

  closedByWorker(stats: MediaStreamStats | undefined, recording: Int16Array | undefined): void {
    this.stream?.closedByWorker(stats, recording);
    this.resolveClosed?.();
  }

  workerDied(reason: string): void {
    this.dead = reason;
    this.stream?.failed(`${reason}; the call's audio was lost`);
    this.resolveClosed?.();
  }
}

const DTMF_DIGITS = /^[0-9*#A-Da-d]*$/;

/** The main thread's handle on a stream running in a worker. */
export class WorkerMediaStream implements CallMediaStream {
  private readonly events = new StreamEmitter();
  private config: RtpStreamConfig;
  private latest: MediaStreamStats;
  private muted = false;
  private started = false;
  private closed = false;
  /** Resolves when the worker handed the recording back (or died). */
  private recorded: (() => void) | undefined;

  constructor(
    private readonly transport: WorkerRtpTransport,
    private media: NegotiatedMedia,
    private readonly codecs: CodecRegistry,
    private readonly source: SourceDescription,
    private readonly sink: SinkDescription,
    private readonly recorder: WavRecorder | undefined,
    private readonly transfer: ArrayBuffer[],
  ) {
    this.config = streamConfigFromNegotiated(media, codecs);
    this.latest = zeroStats(this.config);
    transport.stream = this;
    recorder?.addPending(new Promise<void>((resolve) => (this.recorded = resolve)));
  }

  /** The worker this stream runs on. */
  get worker(): number {
    return this.transport.worker;
  }

  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    this.transport.post({ t: 'start', id: this.transport.id, media: this.media, source: this.source, sink: this.sink, muted: this.muted }, this.transfer);
  }

  update(media: NegotiatedMedia | RtpStreamConfig, codecs?: CodecRegistry): void {
    if (!('index' in media)) throw new MediaError('stream-worker-config', 'a stream in a media worker is updated from the negotiated m= line, not a stream config');
    const config = streamConfigFromNegotiated(media, codecs ?? this.codecs);
    const old = this.config;
    if (config.ptime !== old.ptime || config.sendCodec.sampleRate !== old.sendCodec.sampleRate || config.sendCodec.clockRate !== old.sendCodec.clockRate) {
      throw new MediaError('stream-format-change', 'a re-negotiation changed ptime or sample rate: open a new stream');
    }
    this.media = media;
    this.config = config;
    this.transport.post({ t: 'update', id: this.transport.id, media });
  }

  sendDtmf(digits: string, durationMs = 100): DtmfSendResult {
    if (this.closed) return { ok: false, reason: 'closed' };
    if (!this.config.telephoneEvent) return { ok: false, reason: 'no-telephone-event' };
    const d = this.config.direction;
    if (d !== 'sendrecv' && d !== 'sendonly') return { ok: false, reason: 'not-sending' };
    if (!DTMF_DIGITS.test(digits)) throw new MediaError('dtmf-bad-digit', `"${digits}" holds a character that is not a DTMF digit (0-9 * # A-D)`);
    this.transport.post({ t: 'dtmf', id: this.transport.id, digits, durationMs });
    return { ok: true };
  }

  get canSendDtmf(): boolean {
    return this.config.telephoneEvent !== undefined;
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    if (this.started) this.transport.post({ t: 'mute', id: this.transport.id, muted });
  }

  /** The latest statistics the worker posted (every statsIntervalMs, and at close). */
  stats(): MediaStreamStats {
    return this.latest;
  }

  on<K extends keyof MediaStreamEvents>(name: K, fn: (e: MediaStreamEvents[K]) => void): () => void {
    return this.events.on(name, fn);
  }

  /** RTCP BYE, sockets closed; resolves once the worker has closed (and the recording is back). */
  close(reason?: string): Promise<void> {
    this.closed = true;
    return this.transport.close(reason);
  }

  // --- from the pool

  snapshot(stats: MediaStreamStats): void {
    this.latest = stats;
  }

  dtmf(digit: string, durationMs: number): void {
    this.events.send('dtmf', { digit, durationMs });
  }

  failed(reason: string): void {
    this.closed = true;
    this.recorded?.();
    this.events.send('failed', { reason });
  }

  closedByWorker(stats: MediaStreamStats | undefined, recording: Int16Array | undefined): void {
    if (stats) this.latest = stats;
    // A fresh recorder with no start time takes the worker's timeline as it is.
    if (recording && this.recorder && recording.length) this.recorder.write(recording, 0);
    this.recorded?.();
  }
}

/** How a source crosses to a worker, or undefined when it cannot. */
export function describeSource(source: AudioSource | undefined): { desc: SourceDescription; transfer: ArrayBuffer[] } | undefined {
  if (!source) return { desc: { kind: 'none' }, transfer: [] };
  if (source instanceof ToneSource) return { desc: { kind: 'tone', frequency: source.frequency, amplitude: source.amplitude, durationMs: source.durationMs }, transfer: [] };
  if (source instanceof SilenceSource) return { desc: { kind: 'silence', durationMs: source.durationMs }, transfer: [] };
  if (source instanceof WavFileSource) {
    // A copy: the source may share its samples with the parsed file other calls play too.
    const samples = source.samples.slice();
    return { desc: { kind: 'wav', samples, loop: source.loop }, transfer: [samples.buffer as ArrayBuffer] };
  }
  return undefined;
}

/** How a sink crosses to a worker, or undefined when it cannot. */
export function describeSink(sink: AudioSink | undefined): SinkDescription | undefined {
  if (!sink) return { kind: 'none' };
  if (sink instanceof WavRecorder && sink.sampleCount === 0) return { kind: 'recorder' };
  return undefined;
}

export interface MediaWorkerEnvironmentOptions {
  /** Address to bind RTP sockets to. */
  bindAddress: string;
  /** The address written in our SDP. */
  address: string;
  /** The clock of streams that fall back to the main thread. Default the shared one. */
  clock?: MediaTicker;
  logger?: Logger;
}

/** A `MediaEnvironment` whose calls' media run in `pool`'s workers. */
export function createMediaWorkerEnvironment(pool: MediaWorkerPool, opts: MediaWorkerEnvironmentOptions): MediaEnvironment & { pool: MediaWorkerPool } {
  const log = opts.logger ?? silentLogger;
  const clock = opts.clock ?? sharedMediaClock();
  const codecs = defaultCodecRegistry();
  return {
    pool,
    address: opts.address,
    clock,
    codecs,
    openRtp: () => pool.openRtp(opts.bindAddress),
    createStream(media, transport, audio, events) {
      if (!(transport instanceof WorkerRtpTransport)) {
        return MediaStream.fromNegotiated(media, { transport, clock, codecs, source: audio.source, sink: audio.sink });
      }
      const source = describeSource(audio.source);
      const sink = describeSink(audio.sink);
      if (!source || !sink) {
        log.info('media: this call\'s audio cannot cross to a media worker; its stream runs in the main thread', {
          source: audio.source?.constructor.name, sink: audio.sink?.constructor.name, rtpPort: transport.rtpPort,
        });
        return new MainThreadStream(media, transport, { clock, codecs, source: audio.source, sink: audio.sink, events, bindAddress: opts.bindAddress });
      }
      const stream = new WorkerMediaStream(transport, media, codecs, source.desc, sink, audio.sink instanceof WavRecorder ? audio.sink : undefined, source.transfer);
      if (events) stream.on('failed', (e) => events.failed(e.reason));
      return stream;
    },
  };
}

export type { MediaStreamEvents };
