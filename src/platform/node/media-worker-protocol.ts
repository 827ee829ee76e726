/**
 * The messages between the main thread and a media worker (media-workers.ts ↔
 * media-worker-main.ts). Everything here is structured-clone data: the negotiated m= line
 * travels as the SDP layer produced it and each side builds its own `RtpStreamConfig` from it
 * (codec objects hold functions and cannot cross).
 *
 * Audio endpoints cross as descriptions: a tone, silence, a WAV file's samples (transferred),
 * and a recorder whose samples come back in `closed`.
 */
import type { MediaStreamStats } from '../../media/call-stats.js';
import type { NegotiatedMedia } from '../../sdp/index.js';

export type SourceDescription =
  | { kind: 'none' }
  | { kind: 'tone'; frequency: number; amplitude: number; durationMs: number | undefined }
  | { kind: 'silence'; durationMs: number | undefined }
  | { kind: 'wav'; samples: Int16Array; loop: boolean };

export type SinkDescription = { kind: 'none' } | { kind: 'recorder' };

export interface MediaWorkerData {
  /** Position of the worker in the pool (for logs and error reasons). */
  index: number;
  /** The RTP port range this worker allocates from (a slice of the phone's). */
  portRange: { min: number; max: number };
  /** How often the worker posts the statistics of its streams. */
  statsIntervalMs: number;
  /** Media clock period, ms. */
  clockIntervalMs: number;
}

export type ToWorker =
  | { t: 'open'; id: number; address: string }
  | { t: 'start'; id: number; media: NegotiatedMedia; source: SourceDescription; sink: SinkDescription; muted: boolean }
  | { t: 'update'; id: number; media: NegotiatedMedia }
  | { t: 'dtmf'; id: number; digits: string; durationMs: number }
  | { t: 'mute'; id: number; muted: boolean }
  | { t: 'close'; id: number; reason: string | undefined }
  /** Tests only: make the worker die (an uncaught exception), as a bug would. */
  | { t: 'crash' };

export interface WorkerClockStats {
  ticks: number;
  lateTicks: number;
  maxLatenessMs: number;
  streams: number;
}

export type FromWorker =
  | { t: 'opened'; id: number; localAddress: string; rtpPort: number; rtcpPort: number }
  | { t: 'open-failed'; id: number; code: string; message: string }
  | { t: 'stats'; ids: number[]; stats: MediaStreamStats[]; clock: WorkerClockStats }
  | { t: 'dtmf'; id: number; digit: string; durationMs: number }
  /** The stream could not start or update in the worker (the call should end). */
  | { t: 'failed'; id: number; reason: string }
  | { t: 'closed'; id: number; stats: MediaStreamStats | undefined; recording: Int16Array | undefined };
