/**
 * Node built-ins that only some runs need, loaded on first use instead of at start. Each one
 * costs resident memory, and start-up time too: the shipped command runs with a V8 flag that
 * makes Node compile its own modules without their code cache (docs/bench-footprint.md).
 *   tls            a TLS transport (OpenSSL's certificate store with it)
 *   worker_threads --media-workers
 * (node:child_process would gain nothing: dgram's bind loads it through node:cluster.)
 */
import { createRequire } from 'node:module';
import type * as Tls from 'node:tls';
import type * as WorkerThreads from 'node:worker_threads';

const load = createRequire(import.meta.url);
let tlsModule: typeof Tls | undefined;
let workerThreadsModule: typeof WorkerThreads | undefined;

export const tls = (): typeof Tls => (tlsModule ??= load('node:tls') as typeof Tls);
export const workerThreads = (): typeof WorkerThreads => (workerThreadsModule ??= load('node:worker_threads') as typeof WorkerThreads);
