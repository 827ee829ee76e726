/**
 * The benchmark corpus: one call set-up and a registration as a softphone sees them on the
 * wire (INVITE with SDP, 180 Ringing, 200 OK with SDP, REGISTER with credentials, NOTIFY of
 * message-summary). Every header the stack uses appears: Via (several, one per line),
 * From, To, Call-ID, CSeq, Contact, Max-Forwards, Content-Length, Route and Record-Route,
 * Authorization, plus the usual verbatim ones (Allow, Supported, User-Agent, ...).
 */

const SDP_OFFER = [
  'v=0',
  'o=alice 2890844526 2890844526 IN IP4 192.0.2.101',
  's=-',
  'c=IN IP4 192.0.2.101',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8 9 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=sendrecv',
  '',
].join('\r\n');

const SDP_ANSWER = [
  'v=0',
  'o=bob 2808844564 2808844564 IN IP4 198.51.100.7',
  's=-',
  'c=IN IP4 198.51.100.7',
  't=0 0',
  'm=audio 3456 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=ptime:20',
  'a=sendrecv',
  '',
].join('\r\n');

function msg(lines: string[], body = ''): string {
  return lines.join('\r\n') + `\r\nContent-Length: ${new TextEncoder().encode(body).length}\r\n\r\n` + body;
}

export const INVITE = msg([
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport',
  'Via: SIP/2.0/UDP bigbox3.site3.atlanta.example.com;branch=z9hG4bK77ef4c2312983.1;received=192.0.2.2',
  'Max-Forwards: 69',
  'Route: <sip:p1.example.com;lr>',
  'Record-Route: <sip:p2.example.com;lr>',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: "Alice Liddell" <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@192.0.2.101:5060;transport=udp>;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"',
  'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, MESSAGE, UPDATE, PRACK',
  'Supported: replaces, timer, 100rel',
  'User-Agent: softphone-bench/0.1',
  'Content-Type: application/sdp',
], SDP_OFFER);

export const RINGING = msg([
  'SIP/2.0 180 Ringing',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport=5060;received=192.0.2.101',
  'Via: SIP/2.0/UDP bigbox3.site3.atlanta.example.com;branch=z9hG4bK77ef4c2312983.1;received=192.0.2.2',
  'Record-Route: <sip:p2.example.com;lr>',
  'To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf',
  'From: "Alice Liddell" <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:bob@198.51.100.7:5060>',
]);

export const OK_SDP = msg([
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport=5060;received=192.0.2.101',
  'Via: SIP/2.0/UDP bigbox3.site3.atlanta.example.com;branch=z9hG4bK77ef4c2312983.1;received=192.0.2.2',
  'Record-Route: <sip:p2.example.com;lr>',
  'To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf',
  'From: "Alice Liddell" <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:bob@198.51.100.7:5060>',
  'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY',
  'Supported: replaces, timer',
  'Server: biloxi-pbx/2.1',
  'Content-Type: application/sdp',
], SDP_ANSWER);

export const REGISTER = msg([
  'REGISTER sip:registrar.biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.101:5060;branch=z9hG4bKnashds7;rport',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Bob <sip:bob@biloxi.example.com>;tag=456248',
  'Call-ID: 843817637684230@998sdasdh09',
  'CSeq: 1827 REGISTER',
  'Contact: <sip:bob@192.0.2.101:5060;transport=udp>;expires=3600;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"',
  'Authorization: Digest username="bob", realm="biloxi.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:registrar.biloxi.example.com", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001, opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  'Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, MESSAGE',
  'User-Agent: softphone-bench/0.1',
]);

const MWI_BODY = 'Messages-Waiting: yes\r\nMessage-Account: sip:bob@biloxi.example.com\r\nVoice-Message: 2/8 (0/2)\r\n';

export const NOTIFY = msg([
  'NOTIFY sip:bob@192.0.2.101:5060;transport=udp SIP/2.0',
  'Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bK4b43c2ff8.1',
  'Max-Forwards: 70',
  'To: <sip:bob@biloxi.example.com>;tag=4442',
  'From: <sip:bob@biloxi.example.com>;tag=8814',
  'Call-ID: 7a9f2b1c@198.51.100.20',
  'CSeq: 20 NOTIFY',
  'Contact: <sip:pbx@198.51.100.20:5060>',
  'Event: message-summary',
  'Subscription-State: active;expires=3599',
  'Content-Type: application/simple-message-summary',
], MWI_BODY);

export const CORPUS: readonly { name: string; text: string }[] = [
  { name: 'INVITE+SDP', text: INVITE },
  { name: '180 Ringing', text: RINGING },
  { name: '200 OK+SDP', text: OK_SDP },
  { name: 'REGISTER', text: REGISTER },
  { name: 'NOTIFY', text: NOTIFY },
];
