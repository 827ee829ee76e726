/**
 * Per-stream statistics as the API shows them (for the UI, the CLI and tests): what we sent
 * and received, loss and jitter as RFC 3550 Appendix A.3 and A.8 compute them for the packets
 * we receive, what the jitter buffer did with them, the round trip from RTCP (§6.4.1) and what
 * the peer reports about our packets in its receiver report blocks.
 *
 * Units are in the field names' comments; times are milliseconds. `bytes*` count RTP payload
 * octets (the SR "sender's octet count" of §6.4.1), not headers.
 */

/** What the peer's latest report block about our SSRC says (RFC 3550 §6.4.1). */
export interface RemoteReceptionReport {
  /** Fraction of our packets lost in their last interval, 0..1. */
  fractionLost: number;
  /** Their cumulative count of our packets lost. */
  cumulativeLost: number;
  /** Their interarrival jitter estimate for our packets, ms. */
  jitterMs: number;
  /** Their extended highest sequence number received from us. */
  extendedHighestSequence: number;
  /** When the report arrived (stream clock, ms). */
  receivedAtMs: number;
}

export interface MediaStreamStats {
  /** Encoding name we send with, e.g. `PCMU`. */
  codec: string;
  payloadType: number;
  clockRate: number;
  ptimeMs: number;
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  muted: boolean;
  localSsrc: number;
  /** SSRC of the source we hear, once one arrived. */
  remoteSsrc: number | undefined;
  /** Where we send RTP now (after symmetric-RTP latching). */
  remoteRtp: { address: string; port: number };

  packetsSent: number;
  bytesSent: number;
  /** RTP packets accepted from the peer (audio, telephone-event and CN; wrong PT excluded). */
  packetsReceived: number;
  bytesReceived: number;
  /** RFC 3550 A.3 cumulative lost (expected − received) over every source heard. */
  packetsLost: number;
  /** A.3 fraction lost over the last report interval, 0..1. */
  fractionLost: number;
  /** Dropped by the jitter buffer: arrived after their turn to play. */
  packetsLate: number;
  /** Dropped by the jitter buffer: already held or played. */
  packetsDuplicate: number;
  /** Frames played from concealment (loss or underrun) after the first packet played. */
  concealedFrames: number;
  /** Frames played from real packets. */
  playedFrames: number;
  /** Packets ignored: unparsable, or a payload type not negotiated. */
  packetsDiscarded: number;
  /** A.8 interarrival jitter, ms. */
  jitterMs: number;
  /** Round-trip time from the last report block with LSR/DLSR (§6.4.1), ms. */
  rttMs: number | undefined;
  /** From the peer's last report block about us. */
  remote: RemoteReceptionReport | undefined;

  rtcpSent: number;
  rtcpReceived: number;
  dtmfSent: number;
  dtmfReceived: number;
}
