/**
 * The UA core as a UAS (RFC 3261 §8.2), over a real UDP socket on 127.0.0.1: what it answers
 * to good, unusual and malformed requests, and that it keeps running after each.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { createNodeUserAgent } from '../../src/main/node.js';
import type { UserAgent } from '../../src/sip/user-agent.js';

describe('UA core as a UAS over UDP', () => {
  let ua: UserAgent;
  let port: number;
  let sock: Socket;
  const inbox: string[] = [];
  let waiter: ((m: string) => void) | undefined;
  let n = 0;
  const bad: { reason: string; answered: number | undefined }[] = [];

  before(async () => {
    const made = await createNodeUserAgent({ peerHost: '127.0.0.1', transports: ['udp'] });
    ua = made.ua;
    ua.on('badMessage', (e) => bad.push(e));
    port = made.transport.localEndpoint('udp')!.port;
    sock = createSocket('udp4');
    sock.on('message', (m) => {
      const s = m.toString('utf8');
      if (waiter) {
        const w = waiter;
        waiter = undefined;
        w(s);
      } else inbox.push(s);
    });
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  });
  after(async () => {
    sock.close();
    await ua.close();
  });

  function next(timeoutMs = 2000): Promise<string | undefined> {
    const queued = inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        waiter = undefined;
        resolve(undefined);
      }, timeoutMs);
      waiter = (m) => {
        clearTimeout(t);
        resolve(m);
      };
    });
  }

  function request(method: string, opts: { headers?: string[]; firstLine?: string; toTag?: string; cseqMethod?: string; branch?: string; body?: string } = {}): string {
    n++;
    const lport = sock.address().port;
    const body = opts.body ?? '';
    return [
      opts.firstLine ?? `${method} sip:softphone@127.0.0.1:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${lport};branch=${opts.branch ?? `z9hG4bK-test-${n}`};rport`,
      'Max-Forwards: 70',
      `From: <sip:tester@127.0.0.1>;tag=t${n}`,
      `To: <sip:softphone@127.0.0.1>${opts.toTag ? `;tag=${opts.toTag}` : ''}`,
      `Call-ID: call-${n}@127.0.0.1`,
      `CSeq: ${n} ${opts.cseqMethod ?? method}`,
      ...(opts.headers ?? []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  }

  async function exchange(text: string): Promise<string | undefined> {
    sock.send(text, port, '127.0.0.1');
    return next();
  }

  function status(res: string | undefined): string {
    return res?.split('\r\n')[0] ?? '(no answer)';
  }

  test('RFC 3261 §11.2: OPTIONS gets 200 with Allow, Accept and Supported; Via gets received/rport (RFC 3581)', async () => {
    const res = await exchange(request('OPTIONS'));
    assert.match(status(res), /^SIP\/2\.0 200 OK$/);
    assert.match(res!, /^Allow: .*OPTIONS/m);
    assert.match(res!, /^Accept: application\/sdp/m);
    assert.match(res!, /^Supported: /m);
    assert.match(res!, new RegExp(`^Via: SIP/2.0/UDP 127.0.0.1:\\d+;branch=z9hG4bK-test-\\d+;(rport=${sock.address().port};received=127.0.0.1|received=127.0.0.1;rport=${sock.address().port})`, 'm'));
    assert.match(res!, /^To: <sip:softphone@127\.0\.0\.1>;tag=\w+/m);
  });

  test('RFC 3261 §17.2.3: a retransmitted request is absorbed and answered with the same response', async () => {
    const text = request('OPTIONS', { branch: 'z9hG4bK-retrans' });
    const first = await exchange(text);
    const second = await exchange(text);
    assert.equal(second, first);
  });

  test('RFC 3261 §21.5.2 / §8.2.1: an unknown method gets 501, a known unsupported one 405 with Allow', async () => {
    assert.match(status(await exchange(request('FOO'))), / 501 /);
    const res = await exchange(request('SUBSCRIBE', { headers: ['Event: presence'] }));
    assert.match(status(res), / 405 /);
    assert.match(res!, /^Allow: /m);
  });

  test('RFC 3261 §8.2.2.3: Require with an unknown option tag gets 420 with Unsupported', async () => {
    const res = await exchange(request('OPTIONS', { headers: ['Require: 100rel, foo'] }));
    assert.match(status(res), / 420 /);
    assert.match(res!, /^Unsupported: 100rel, foo$/m);
  });

  test('RFC 3261 §16.3: Max-Forwards 0 gets 483', async () => {
    const res = await exchange(request('OPTIONS').replace('Max-Forwards: 70', 'Max-Forwards: 0'));
    assert.match(status(res), / 483 /);
  });

  test('RFC 3261 §12.2.2: a request inside an unknown dialog gets 481', async () => {
    assert.match(status(await exchange(request('OPTIONS', { toTag: 'nosuchdialog' }))), / 481 /);
  });

  test('RFC 3261 §8.2 / RFC 4475 §3.1.2: malformed requests get 400 naming the problem', async () => {
    const cases: [string, string][] = [
      ['CSeq method differs from the request method', request('OPTIONS', { cseqMethod: 'INVITE' })],
      ['Max-Forwards not a number', request('OPTIONS').replace('Max-Forwards: 70', 'Max-Forwards: seventy')],
      ['bad Content-Length', request('OPTIONS').replace('Content-Length: 0', 'Content-Length: 99')],
    ];
    for (const [what, text] of cases) {
      const res = await exchange(text);
      assert.match(status(res), /^SIP\/2\.0 400 /, what);
      assert.ok(status(res).length > 'SIP/2.0 400 Bad Request'.length, `${what}: the reason names the problem: ${status(res)}`);
    }
  });

  test('RFC 4475 §3.1.2.16: SIP/7.0 gets 505', async () => {
    const res = await exchange(request('OPTIONS', { firstLine: `OPTIONS sip:softphone@127.0.0.1:${port} SIP/7.0` }));
    assert.match(status(res), / 505 /);
  });

  test('unanswerable garbage, stray responses and stray ACKs are dropped silently; the UA keeps answering', async () => {
    const before = bad.length;
    sock.send('\x00\x01garbage that is not SIP at all\r\n\r\n', port, '127.0.0.1');
    sock.send('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKstray\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: stray\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n', port, '127.0.0.1');
    sock.send(request('ACK', { toTag: 'x' }), port, '127.0.0.1');
    assert.equal(await next(300), undefined);
    assert.ok(bad.length > before, 'the garbage was reported as a bad message');
    assert.match(status(await exchange(request('OPTIONS'))), / 200 /);
  });
});
