/**
 * Real UserAgents on a LoopbackNetwork and a ManualScheduler, for tests of whole flows
 * (dialogs, INVITE sessions) with virtual time:
 *
 *   const n = new UaNetwork();
 *   const alice = n.ua('alice', 5060), bob = n.ua('bob', 5070);
 *   ... alice.invite(...) ...
 *   await n.run(100);   // 100 ms of virtual time, promises settled between steps
 */
import { ManualScheduler } from '../../platform/manual-scheduler.js';
import type { DigestCredentials } from '../auth/digest-client.js';
import type { TimerConfig } from '../transaction/index.js';
import { UserAgent } from '../user-agent.js';
import { LoopbackNetwork } from './loopback-transport.js';

export class UaNetwork {
  readonly scheduler = new ManualScheduler(1_000_000);
  readonly net: LoopbackNetwork;
  private seed = 1;

  constructor(opts: { latency?: number } = {}) {
    this.net = new LoopbackNetwork(this.scheduler, opts);
  }

  ua(name: string, port: number, opts: { credentials?: DigestCredentials[]; timers?: Partial<TimerConfig> } = {}): UserAgent {
    const transport = this.net.createTransport('127.0.0.1', port);
    const base = (this.seed++ * 0x9e3779b1) >>> 0;
    let n = 0;
    // Deterministic but well spread hex (a tiny LCG per UA).
    let x = base;
    const random = () => {
      x = (Math.imul(x, 1664525) + 1013904223 + n++) >>> 0;
      return x.toString(16).padStart(8, '0') + (x ^ base).toString(16).padStart(8, '0');
    };
    return new UserAgent({ transport, scheduler: this.scheduler, random, credentials: opts.credentials, timers: opts.timers, product: `test-${name}` });
  }

  /** Let pending promises (locate, sends) run. */
  async settle(): Promise<void> {
    for (let i = 0; i < 30; i++) await Promise.resolve();
  }

  /** Advance virtual time by `ms` in steps of `step`, settling promises between steps. */
  async run(ms: number, step = 5): Promise<void> {
    await this.settle();
    for (let t = 0; t < ms; t += step) {
      this.scheduler.advance(Math.min(step, ms - t));
      await this.settle();
    }
  }
}
