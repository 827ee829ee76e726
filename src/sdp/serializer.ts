/**
 * SDP serialiser (RFC 8866 §5): lines in the order the grammar of §9 requires, each ended
 * by CRLF ("the sequence CRLF (0x0d0a) is used to end a line", §5).
 */
import type { Attribute, Bandwidth, Connection, MediaDescription, SessionDescription } from './sdp.js';

export function serializeConnection(c: Connection): string {
  let address = c.address;
  if (c.ttl !== undefined) address += `/${c.ttl}`;
  if (c.numberOfAddresses !== undefined) address += `/${c.numberOfAddresses}`;
  return `${c.netType} ${c.addrType} ${address}`;
}

/** The text after `a=`. */
export function serializeAttribute(a: Attribute): string {
  switch (a.kind) {
    case 'rtpmap':
      return `rtpmap:${a.payloadType} ${a.encodingName}/${a.clockRate}${a.channels !== undefined ? `/${a.channels}` : ''}`;
    case 'fmtp':
      return a.parameters === '' ? `fmtp:${a.format}` : `fmtp:${a.format} ${a.parameters}`;
    case 'ptime':
    case 'maxptime':
      return `${a.kind}:${a.value}`;
    case 'direction':
      return a.value;
    case 'rtcp':
      return a.address !== undefined
        ? `rtcp:${a.port} ${a.netType ?? 'IN'} ${a.addrType ?? 'IP4'} ${a.address}`
        : `rtcp:${a.port}`;
    case 'rtcp-mux':
      return 'rtcp-mux';
    case 'mid':
      return `mid:${a.value}`;
    case 'other':
      return a.value === undefined ? a.name : `${a.name}:${a.value}`;
  }
}

function pushCommon(
  out: string[],
  level: { information?: string; bandwidths: Bandwidth[]; key?: string; attributes: Attribute[] },
  connections: Connection[],
  withInfo: boolean,
): void {
  if (withInfo && level.information !== undefined) out.push(`i=${level.information}`);
  for (const c of connections) out.push(`c=${serializeConnection(c)}`);
  for (const b of level.bandwidths) out.push(`b=${b.type}:${b.value}`);
}

function pushMedia(out: string[], m: MediaDescription): void {
  const port = m.portCount !== undefined ? `${m.port}/${m.portCount}` : `${m.port}`;
  out.push(`m=${[m.media, port, m.proto, ...m.formats].join(' ')}`);
  pushCommon(out, m, m.connections, true);
  if (m.key !== undefined) out.push(`k=${m.key}`);
  for (const a of m.attributes) out.push(`a=${serializeAttribute(a)}`);
}

export function serializeSdp(sd: SessionDescription): string {
  const o = sd.origin;
  const out: string[] = [
    `v=${sd.version}`,
    `o=${o.username} ${o.sessionId} ${o.sessionVersion} ${o.netType} ${o.addrType} ${o.address}`,
    `s=${sd.sessionName}`,
  ];
  if (sd.information !== undefined) out.push(`i=${sd.information}`);
  if (sd.uri !== undefined) out.push(`u=${sd.uri}`);
  for (const e of sd.emails) out.push(`e=${e}`);
  for (const p of sd.phones) out.push(`p=${p}`);
  pushCommon(out, sd, sd.connection ? [sd.connection] : [], false);
  for (const t of sd.timing) {
    out.push(`t=${t.start} ${t.stop}`);
    for (const r of t.repeats) out.push(`r=${r}`);
  }
  if (sd.timeZones !== undefined) out.push(`z=${sd.timeZones}`);
  if (sd.key !== undefined) out.push(`k=${sd.key}`);
  for (const a of sd.attributes) out.push(`a=${serializeAttribute(a)}`);
  for (const m of sd.media) pushMedia(out, m);
  return out.join('\r\n') + '\r\n';
}
