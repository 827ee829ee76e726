/**
 * What one RTP stream needs to know, and how to get it from the SDP layer's `NegotiatedMedia`
 * (one per m= line after offer/answer): the codec to send with and its payload type, the
 * codecs that may arrive, telephone-event and comfort-noise payload types, packetisation,
 * direction and the peer's transport addresses.
 */
import type { NegotiatedMedia } from '../sdp/index.js';
import { audioFormat } from './audio-frame.js';
import type { AudioFormat } from './audio-frame.js';
import type { AudioCodec } from './codec-registry.js';
import { defaultCodecRegistry } from './codec-registry.js';
import { MediaError } from './result.js';

export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface RtpAddress {
  address: string;
  port: number;
}

export interface RtpStreamConfig {
  /** The codec we encode with. */
  sendCodec: AudioCodec;
  /** Payload type we send it with (the peer's numbering). */
  sendPayloadType: number;
  /** Payload types that may arrive (our numbering) and their codecs; the send codec's clock rate. */
  receiveCodecs: { payloadType: number; codec: AudioCodec }[];
  /** RFC 4733: PT to send events with, PT they arrive with. Absent: the peer cannot take them. */
  telephoneEvent?: { payloadType: number; receivePayloadType: number; clockRate: number } | undefined;
  /** RFC 3389 comfort noise PT that may arrive (treated as silence). */
  comfortNoisePayloadType?: number | undefined;
  /** Packetisation in ms: one frame per packet, both ways. */
  ptime: number;
  direction: MediaDirection;
  remoteRtp: RtpAddress;
  remoteRtcp: RtpAddress;
  /** RFC 5761: RTCP goes to and comes from the RTP port. */
  rtcpMux: boolean;
}

/**
 * The stream configuration for a negotiated m= line. Throws MediaError when the stream was
 * rejected or its send codec is not in the registry (the SDP layer should only have offered
 * codecs the registry has).
 */
export function streamConfigFromNegotiated(media: NegotiatedMedia, registry = defaultCodecRegistry()): RtpStreamConfig {
  if (media.rejected || !media.sendCodec) throw new MediaError('stream-rejected', `m= line ${media.index} was rejected or has no codec to send with`);
  const sc = media.sendCodec;
  const sendCodec = registry.find(sc.name, sc.clockRate, sc.channels);
  if (!sendCodec) throw new MediaError('codec-unknown', `no codec ${sc.name}/${sc.clockRate}/${sc.channels} in the registry`);
  const receiveCodecs: RtpStreamConfig['receiveCodecs'] = [];
  for (const rc of media.receiveCodecs) {
    const codec = registry.find(rc.name, rc.clockRate, rc.channels);
    // One frame size for playout: only codecs on the send codec's clock and sample rate.
    if (codec && codec.clockRate === sendCodec.clockRate && codec.sampleRate === sendCodec.sampleRate) receiveCodecs.push({ payloadType: rc.payloadType, codec });
  }
  const te = media.telephoneEvent;
  return {
    sendCodec,
    sendPayloadType: sc.payloadType,
    receiveCodecs,
    // RFC 4733 §2.1 events share the audio stream's timestamps: only use a matching clock.
    telephoneEvent: te && te.clockRate === sendCodec.clockRate ? { payloadType: te.payloadType, receivePayloadType: te.receivePayloadType, clockRate: te.clockRate } : undefined,
    comfortNoisePayloadType: media.comfortNoise?.receivePayloadType,
    ptime: media.ptime,
    direction: media.direction,
    remoteRtp: { address: media.remote.address, port: media.remote.rtpPort },
    remoteRtcp: media.rtcpMux ? { address: media.remote.address, port: media.remote.rtpPort } : { address: media.remote.rtcpAddress, port: media.remote.rtcpPort },
    rtcpMux: media.rtcpMux,
  };
}

/** The frame format sources and sinks of a stream with this configuration must use. */
export function streamAudioFormat(config: Pick<RtpStreamConfig, 'sendCodec' | 'ptime'>): AudioFormat {
  return audioFormat(config.sendCodec.sampleRate, config.ptime);
}
