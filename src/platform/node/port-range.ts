/**
 * A configurable range of UDP ports for RTP (RFC 3550 §11: "RTP SHOULD use an even destination
 * port number and the corresponding RTCP stream SHOULD use the next higher (odd) destination
 * port number"). `allocate()` hands out the even RTP port of a free pair; RTCP is that + 1.
 *
 * Pairs are handed out round-robin, so a pair released now is the last to be reused: late
 * packets of an ended call do not land in the next one. Whether a pair can actually be bound
 * (another process may hold it) is the socket's business: rtp-socket.ts releases a pair it
 * could not bind and asks for the next.
 */
export class PortRangeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'PortRangeError';
    this.code = code;
  }
}

export interface PortRangeOptions {
  /** Lowest port (rounded up to even). Default 10000, as many PBXes use. */
  min?: number;
  /** Highest port; the last pair must fit (its RTCP port ≤ max). Default 20000. */
  max?: number;
}

export class PortRange {
  readonly min: number;
  readonly max: number;
  private readonly inUse: Uint8Array;
  private cursor = 0;
  private used = 0;

  constructor(options: PortRangeOptions = {}) {
    const min = options.min ?? 10000;
    const max = options.max ?? 20000;
    const lo = min + (min % 2);
    if (!Number.isInteger(min) || !Number.isInteger(max) || lo < 1024 || max > 65535 || lo + 1 > max) {
      throw new PortRangeError('port-range-invalid', `RTP port range ${min}-${max} must hold at least one even/odd pair within 1024-65535`);
    }
    this.min = lo;
    this.max = max;
    this.inUse = new Uint8Array(Math.floor((max - lo + 1) / 2));
  }

  /** Pairs in the range. */
  get size(): number {
    return this.inUse.length;
  }

  /** Pairs free now. */
  get available(): number {
    return this.inUse.length - this.used;
  }

  /** The even RTP port of a free pair, marked in use; undefined when all are taken. */
  allocate(): number | undefined {
    const n = this.inUse.length;
    for (let i = 0; i < n; i++) {
      const k = (this.cursor + i) % n;
      if (!this.inUse[k]) {
        this.inUse[k] = 1;
        this.used++;
        this.cursor = (k + 1) % n;
        return this.min + 2 * k;
      }
    }
    return undefined;
  }

  /** Give a pair back (by its RTP port). Releasing a free pair or a port outside is a no-op. */
  release(rtpPort: number): void {
    const k = (rtpPort - this.min) / 2;
    if (!Number.isInteger(k) || k < 0 || k >= this.inUse.length || !this.inUse[k]) return;
    this.inUse[k] = 0;
    this.used--;
  }

  isAllocated(rtpPort: number): boolean {
    const k = (rtpPort - this.min) / 2;
    return Number.isInteger(k) && k >= 0 && k < this.inUse.length && this.inUse[k] === 1;
  }
}
