/**
 * A fixed-capacity ring of 16-bit samples between a device tool's output (bytes arriving in
 * chunks of any size, even odd ones) and the media clock (one frame per read). Writing never
 * blocks and never grows memory: when full, the oldest samples are overwritten and counted.
 * Pure: no I/O, no timers.
 */
export class PcmRing {
  readonly capacity: number;
  private readonly buf: Int16Array;
  private head = 0; // next sample to read
  private size = 0;
  private carry = -1; // a low byte waiting for its high byte, or -1
  /** Samples overwritten before they were read (the reader fell behind by more than the capacity). */
  overwritten = 0;

  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError(`ring capacity must be a positive whole number, not ${capacity}`);
    this.capacity = capacity;
    this.buf = new Int16Array(capacity);
  }

  /** Samples waiting to be read. */
  get length(): number {
    return this.size;
  }

  /** Append signed 16-bit little-endian PCM; a trailing odd byte is kept for the next chunk. */
  writeBytesLE(bytes: Uint8Array): void {
    let i = 0;
    if (this.carry >= 0 && bytes.length > 0) {
      this.push(((bytes[0]! << 8) | this.carry) << 16 >> 16);
      this.carry = -1;
      i = 1;
    }
    const end = bytes.length - ((bytes.length - i) & 1);
    for (; i < end; i += 2) this.push(((bytes[i + 1]! << 8) | bytes[i]!) << 16 >> 16);
    if (end < bytes.length) this.carry = bytes[end]!;
  }

  /** Append samples. */
  write(samples: Int16Array): void {
    for (let i = 0; i < samples.length; i++) this.push(samples[i]!);
  }

  /** Move exactly `out.length` samples into `out`; false (and `out` untouched) when fewer are waiting. */
  read(out: Int16Array): boolean {
    const n = out.length;
    if (n > this.size) return false;
    const first = Math.min(n, this.capacity - this.head);
    out.set(this.buf.subarray(this.head, this.head + first));
    if (first < n) out.set(this.buf.subarray(0, n - first), first);
    this.head = (this.head + n) % this.capacity;
    this.size -= n;
    return true;
  }

  /** Throw away the `n` oldest samples (to cut latency); returns how many went. */
  discard(n: number): number {
    const d = Math.max(0, Math.min(n, this.size));
    this.head = (this.head + d) % this.capacity;
    this.size -= d;
    return d;
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
    this.carry = -1;
  }

  private push(sample: number): void {
    const tail = (this.head + this.size) % this.capacity;
    this.buf[tail] = sample;
    if (this.size < this.capacity) {
      this.size++;
    } else {
      this.head = (this.head + 1) % this.capacity;
      this.overwritten++;
    }
  }
}
