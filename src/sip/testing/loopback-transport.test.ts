import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualScheduler } from '../../platform/manual-scheduler.js';
import { TransportError } from '../transport.js';
import { LoopbackNetwork } from './loopback-transport.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

test('loopback: bytes arrive after the latency, through the scheduler, with the sender as the flow remote', async () => {
  const s = new ManualScheduler();
  const net = new LoopbackNetwork(s, { latency: 3 });
  const a = net.createTransport('127.0.0.1', 1000);
  const b = net.createTransport('127.0.0.1', 2000);
  const got: string[] = [];
  b.onMessage = (bytes, flow) => got.push(`${dec.decode(bytes)} from ${flow.remote.port}`);
  await a.send(enc.encode('hello'), { protocol: 'udp', address: '127.0.0.1', port: 2000 });
  s.advance(2);
  assert.deepEqual(got, []);
  s.advance(1);
  assert.deepEqual(got, ['hello from 1000']);
});

test('loopback: rules drop, duplicate and delay chosen packets; UDP to nowhere is lost, TCP refused', async () => {
  const s = new ManualScheduler();
  const net = new LoopbackNetwork(s);
  const a = net.createTransport('127.0.0.1', 1000, ['udp', 'tcp']);
  const b = net.createTransport('127.0.0.1', 2000);
  const got: string[] = [];
  b.onMessage = (bytes) => got.push(dec.decode(bytes));
  const to = { protocol: 'udp' as const, address: '127.0.0.1', port: 2000 };
  net.rule((p) => p.text === 'one', 'drop');
  net.rule((p) => p.text === 'two', 'duplicate');
  net.rule((p) => p.text === 'three', { delay: 100 });
  for (const t of ['one', 'two', 'three', 'one']) await a.send(enc.encode(t), to);
  s.advance(10);
  assert.deepEqual(got, ['two', 'one', 'two']);
  s.advance(100);
  assert.deepEqual(got, ['two', 'one', 'two', 'three']);
  assert.deepEqual(net.packets.map((p) => p.fate), ['dropped', 'duplicated', 'delayed', 'delivered']);
  await a.send(enc.encode('x'), { protocol: 'udp', address: '127.0.0.1', port: 9 });
  await assert.rejects(a.send(enc.encode('x'), { protocol: 'tcp', address: '127.0.0.1', port: 9 }), TransportError);
});
