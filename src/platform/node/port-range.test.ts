import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PortRange } from './port-range.js';

test('RFC 3550 §11: the range hands out even RTP ports (RTCP = RTP + 1 fits in the range)', () => {
  const r = new PortRange({ min: 20001, max: 20008 });
  assert.equal(r.min, 20002);
  assert.equal(r.size, 3);
  assert.deepEqual([r.allocate(), r.allocate(), r.allocate()], [20002, 20004, 20006]);
  assert.equal(r.allocate(), undefined, 'exhausted');
  assert.equal(r.available, 0);
});

test('port range: a released pair is reused, round-robin (the most recently freed pair last)', () => {
  const r = new PortRange({ min: 30000, max: 30007 });
  const a = r.allocate()!;
  const b = r.allocate()!;
  r.release(a);
  assert.equal(r.allocate(), 30004, 'the cursor moves on before reusing');
  assert.equal(r.allocate(), 30006);
  assert.equal(r.allocate(), a, 'then the freed pair comes back');
  assert.equal(r.isAllocated(b), true);
  r.release(b);
  r.release(b);
  r.release(12345);
  assert.equal(r.available, 1, 'double and foreign releases are no-ops');
});

test('port range: invalid ranges are refused', () => {
  assert.throws(() => new PortRange({ min: 100, max: 200 }), /1024-65535/);
  assert.throws(() => new PortRange({ min: 40000, max: 40000 }), /pair/);
  assert.throws(() => new PortRange({ min: 65534, max: 65536 }), /pair/);
});
