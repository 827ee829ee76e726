/**
 * An in-memory network for tests: TransportLayers that deliver bytes to each other through the
 * injected Scheduler (so a ManualScheduler decides when anything arrives), with rules to drop,
 * delay or duplicate chosen messages. Isomorphic, like the rest of sip/.
 *
 *   const net = new LoopbackNetwork(scheduler);
 *   const a = net.createTransport('127.0.0.1', 5060);
 *   net.rule((p) => p.text.startsWith('ACK '), 'drop');      // lose the next ACK
 */
import type { Scheduler } from '../../platform/scheduler.js';
import type { Endpoint, Flow, SendOptions, TransportLayer, TransportProtocol } from '../transport.js';
import { TransportError } from '../transport.js';

export interface LoopbackPacket {
  from: Endpoint;
  to: Endpoint;
  bytes: Uint8Array;
  /** The bytes as text (SIP is text). */
  text: string;
  /** When it was sent (scheduler time). */
  at: number;
  /** What the network did with it. */
  fate: 'delivered' | 'dropped' | 'duplicated' | 'delayed' | 'unreachable';
}

export type LoopbackAction = 'drop' | 'duplicate' | { delay: number };

interface Rule {
  match: (p: LoopbackPacket) => boolean;
  action: LoopbackAction;
  /** How many more packets it applies to (Infinity for all). */
  remaining: number;
}

const decoder = new TextDecoder();

function key(e: Endpoint): string {
  return `${e.protocol}:${e.address}:${e.port}`;
}

export class LoopbackNetwork {
  /** One-way delay of every packet, ms. */
  latency: number;
  /** Every packet sent, in order. */
  readonly packets: LoopbackPacket[] = [];
  private readonly scheduler: Scheduler;
  private readonly endpoints = new Map<string, LoopbackTransport>();
  private rules: Rule[] = [];

  constructor(scheduler: Scheduler, opts: { latency?: number } = {}) {
    this.scheduler = scheduler;
    this.latency = opts.latency ?? 1;
  }

  createTransport(address: string, port: number, protocols: TransportProtocol[] = ['udp']): LoopbackTransport {
    const t = new LoopbackTransport(this, address, port, protocols);
    for (const p of protocols) this.endpoints.set(key({ protocol: p, address, port }), t);
    return t;
  }

  /** Apply `action` to the next `times` packets matching `match` (first matching rule wins). */
  rule(match: (p: LoopbackPacket) => boolean, action: LoopbackAction, times = 1): void {
    this.rules.push({ match, action, remaining: times });
  }

  clearRules(): void {
    this.rules = [];
  }

  /** Packets whose first line starts with `prefix` (e.g. 'ACK ', 'SIP/2.0 200'). */
  sent(prefix: string): LoopbackPacket[] {
    return this.packets.filter((p) => p.text.startsWith(prefix));
  }

  /** @internal */
  transmit(bytes: Uint8Array, from: Endpoint, to: Endpoint): boolean {
    const packet: LoopbackPacket = { from, to, bytes, text: decoder.decode(bytes), at: this.scheduler.now(), fate: 'delivered' };
    this.packets.push(packet);
    const target = this.endpoints.get(key(to));
    if (!target || target.closed) {
      packet.fate = 'unreachable';
      return false;
    }
    const rule = this.rules.find((r) => r.remaining > 0 && r.match(packet));
    let delay = this.latency;
    let copies = 1;
    if (rule) {
      rule.remaining--;
      if (rule.action === 'drop') {
        packet.fate = 'dropped';
        return true;
      }
      if (rule.action === 'duplicate') {
        packet.fate = 'duplicated';
        copies = 2;
      } else {
        packet.fate = 'delayed';
        delay += rule.action.delay;
      }
    }
    const flow: Flow = { id: `${key(to)}<-${key(from)}`, local: to, remote: from };
    for (let i = 0; i < copies; i++) {
      this.scheduler.set(delay + i, () => {
        if (!target.closed) target.onMessage?.(bytes.slice(), flow);
      });
    }
    return true;
  }
}

export class LoopbackTransport implements TransportLayer {
  onMessage: ((bytes: Uint8Array, flow: Flow) => void) | undefined;
  onFlowClosed: ((flow: Flow, reason: string) => void) | undefined;
  closed = false;
  private readonly net: LoopbackNetwork;
  private readonly address: string;
  private readonly port: number;
  private readonly protocols: TransportProtocol[];

  constructor(net: LoopbackNetwork, address: string, port: number, protocols: TransportProtocol[]) {
    this.net = net;
    this.address = address;
    this.port = port;
    this.protocols = protocols;
  }

  send(bytes: Uint8Array, dest: Endpoint, _opts?: SendOptions): Promise<Flow> {
    const local: Endpoint = { protocol: dest.protocol, address: this.address, port: this.port };
    if (this.closed) return Promise.reject(new TransportError('ECLOSED', 'the loopback transport is closed'));
    const reached = this.net.transmit(bytes, local, dest);
    // A datagram to nowhere is lost silently; a connection to nowhere is refused.
    if (!reached && dest.protocol !== 'udp') {
      return Promise.reject(new TransportError('ECONNREFUSED', `connection refused by ${dest.address}:${dest.port}`));
    }
    return Promise.resolve({ id: `${key(local)}->${key(dest)}`, local, remote: dest });
  }

  localEndpoint(protocol: TransportProtocol): Endpoint | undefined {
    return this.protocols.includes(protocol) ? { protocol, address: this.address, port: this.port } : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
