/** Node platform: sockets, DNS and timers behind the seams the isomorphic layers use. */
export { NodeTransportLayer, type NodeTransportLayerOptions, type KeepAliveEvent } from './transport-layer.js';
export { UdpTransport, UDP_MAX_MESSAGE_BYTES, type UdpTransportOptions } from './udp-transport.js';
export { StreamTransport, type StreamTransportOptions, type StreamTlsOptions, type PemInput } from './stream-transport.js';
export { NodeDnsResolver, type NodeDnsResolverOptions } from './dns.js';
export { NodeScheduler } from './scheduler.js';
export { RtpSocket, RtpSocketError, defaultPortRange, socketBufferLimits, type RtpSocketOptions } from './rtp-socket.js';
export { PortRange, PortRangeError, type PortRangeOptions } from './port-range.js';
export { NodeMediaClock, sharedMediaClock, type NodeMediaClockOptions, type MediaClockStats } from './media-clock.js';
