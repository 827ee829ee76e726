// The public surface of media/ for the layers above (phone/, the CLI, tests). Node-only
// adapters are imported from their own files (wav-file-node.ts), so this index stays
// isomorphic.
export * from './result.js';
export * from './rtp-packet.js';
export * from './rtcp.js';
export * from './rtp-stats.js';
export * from './g711.js';
export * from './telephone-event.js';
export * from './dtmf-relay.js';
export * from './audio-frame.js';
export * from './audio-source.js';
export * from './audio-sink.js';
export * from './wav.js';
export * from './resampler.js';
export * from './tone-analysis.js';
export * from './jitter-buffer.js';
export * from './concealment.js';
export * from './codec-registry.js';
export * from './call-stats.js';
export * from './stream-config.js';
export * from './rtcp-session.js';
export * from './rtp-stream.js';
export * from './media-stream.js';
