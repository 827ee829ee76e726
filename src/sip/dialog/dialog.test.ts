import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NameAddr, SipRequest } from '../message.js';
import { createRequest, createResponse } from '../message.js';
import { serializeUri } from '../serializer.js';
import { sipUri } from '../uri-util.js';
import { Dialog, DialogError } from './dialog.js';
import { DialogTable } from './dialog-table.js';

function na(uri: string, params: [string, string | null][] = []): NameAddr {
  const [user, rest] = uri.split('@') as [string, string];
  const [host, port] = rest.split(':');
  const p: Record<string, string | null> = {};
  return { uri: sipUri({ user, host: host!, port: port ? Number(port) : undefined, params: p }), params: new Map(params) };
}

function route(host: string, lr = true): NameAddr {
  return { uri: sipUri({ host, params: lr ? { lr: null } : {} }), params: new Map() };
}

function invite(): SipRequest {
  const req = createRequest({
    method: 'INVITE',
    uri: sipUri({ user: 'bob', host: 'example.com' }),
    from: na('alice@example.com', [['tag', 'a1']]),
    to: na('bob@example.com'),
    callId: 'c1',
    cseq: { seq: 7, method: 'INVITE' },
    contact: [na('alice@192.0.2.1:5060')],
  });
  req.recordRoute = [route('p1.example.com'), route('p2.example.com')];
  return req;
}

const local = sipUri({ user: 'me', host: '192.0.2.9', port: 5070 });

test('RFC 3261 §12.1.2: the UAC dialog: reversed Record-Route, remote target from Contact, local CSeq of the INVITE, empty remote CSeq', () => {
  const req = invite();
  const res = createResponse(req, 180, undefined, { toTag: 'b1', contact: [na('bob@192.0.2.2:5062')] });
  const d = Dialog.asUac(req, res, local);
  assert.deepEqual(d.id, { callId: 'c1', localTag: 'a1', remoteTag: 'b1' });
  assert.equal(d.state, 'early');
  assert.deepEqual(d.routeSet.map((r) => serializeUri(r.uri)), ['sip:p2.example.com;lr', 'sip:p1.example.com;lr']);
  assert.equal(serializeUri(d.remoteTarget), 'sip:bob@192.0.2.2:5062');
  assert.equal(d.localSeq, 7);
  assert.equal(d.remoteSeq, undefined);
  assert.equal(d.secure, false);
  const ok = createResponse(req, 200, undefined, { toTag: 'b1', contact: [na('bob@192.0.2.2:5062')] });
  assert.equal(Dialog.asUac(req, ok, local).state, 'confirmed');
});

test('RFC 3261 §12.1.1: the UAS dialog: Record-Route in order, remote target from the request Contact, remote CSeq set, local CSeq empty', () => {
  const d = Dialog.asUas(invite(), 'b9', local, 'confirmed');
  assert.deepEqual(d.id, { callId: 'c1', localTag: 'b9', remoteTag: 'a1' });
  assert.deepEqual(d.routeSet.map((r) => serializeUri(r.uri)), ['sip:p1.example.com;lr', 'sip:p2.example.com;lr']);
  assert.equal(serializeUri(d.remoteTarget), 'sip:alice@192.0.2.1:5060');
  assert.equal(d.remoteSeq, 7);
  assert.equal(d.localSeq, undefined);
  assert.equal(d.localUri.params.get('tag'), 'b9');
});

test('RFC 3261 §12.2.1.1: in-dialog requests: tags, Call-ID, CSeq+1, loose routing puts the remote target in the Request-URI and the route set in Route', () => {
  const d = Dialog.asUas(invite(), 'b9', local, 'confirmed');
  const bye = d.createRequest('BYE', d.nextSeq(() => 100));
  assert.equal(bye.cseq.seq, 100);
  assert.equal(d.createRequest('INFO', d.nextSeq(() => 0)).cseq.seq, 101);
  assert.equal(serializeUri(bye.uri), 'sip:alice@192.0.2.1:5060');
  assert.deepEqual(bye.route.map((r) => serializeUri(r.uri)), ['sip:p1.example.com;lr', 'sip:p2.example.com;lr']);
  assert.equal(bye.from.params.get('tag'), 'b9');
  assert.equal(bye.to.params.get('tag'), 'a1');
  assert.equal(bye.callId, 'c1');
  assert.deepEqual(bye.contact, [], 'BYE is not a target refresh');
  const reinvite = d.createRequest('INVITE', d.nextSeq(() => 0));
  assert.equal(serializeUri((reinvite.contact[0] as NameAddr).uri), 'sip:me@192.0.2.9:5070');
});

test('RFC 3261 §12.2.1.1: strict routing: the first route is the Request-URI, the remote target goes last in Route', () => {
  const req = invite();
  req.recordRoute = [route('strict.example.com', false)];
  const d = Dialog.asUas(req, 'b9', local, 'confirmed');
  const bye = d.createRequest('BYE', 1);
  assert.equal(serializeUri(bye.uri), 'sip:strict.example.com');
  assert.deepEqual(bye.route.map((r) => serializeUri(r.uri)), ['sip:alice@192.0.2.1:5060']);
});

test('RFC 3261 §12.2.2: a request with a lower CSeq than the remote CSeq is out of order: 500', () => {
  const d = Dialog.asUas(invite(), 'b9', local, 'confirmed');
  const next = d.createRequest('INFO', 8);
  assert.deepEqual(d.receiveRequest(next), { ok: true });
  assert.equal(d.remoteSeq, 8);
  const old = d.createRequest('INFO', 5);
  const r = d.receiveRequest(old);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.status, 500);
});

test('RFC 3261 §12.2: target refresh replaces the remote target with the Contact; a message without one leaves it', () => {
  const d = Dialog.asUas(invite(), 'b9', local, 'confirmed');
  const req = invite();
  req.contact = [na('alice@198.51.100.7:5090')];
  d.refreshTarget(req);
  assert.equal(serializeUri(d.remoteTarget), 'sip:alice@198.51.100.7:5090');
  req.contact = [];
  d.refreshTarget(req);
  assert.equal(serializeUri(d.remoteTarget), 'sip:alice@198.51.100.7:5090');
});

test('RFC 3261 §12: states: early → confirmed → terminated; no way back; terminated dialogs only send ACK and BYE', () => {
  const req = invite();
  const d = Dialog.asUac(req, createResponse(req, 183, undefined, { toTag: 'b1', contact: [na('bob@192.0.2.2')] }), local);
  d.transition('confirmed');
  assert.throws(() => d.transition('early'), DialogError);
  d.transition('terminated');
  assert.throws(() => d.createRequest('INFO', 9), DialogError);
  assert.equal(d.createRequest('BYE', 9).method, 'BYE');
});

test('the dialog table finds a request by Call-ID, its To tag (local) and its From tag (remote)', () => {
  const table = new DialogTable<string>();
  const d = Dialog.asUas(invite(), 'b9', local, 'confirmed');
  table.add(d.id, 'session');
  const req = createRequest({ method: 'BYE', uri: local, from: na('alice@example.com', [['tag', 'a1']]), to: na('bob@example.com', [['tag', 'b9']]), callId: 'c1', cseq: { seq: 9, method: 'BYE' } });
  assert.equal(table.find(req), 'session');
  req.to.params.set('tag', 'other');
  assert.equal(table.find(req), undefined);
  table.remove(d.id, 'not-the-owner');
  assert.equal(table.size, 1);
  table.remove(d.id);
  assert.equal(table.size, 0);
});
