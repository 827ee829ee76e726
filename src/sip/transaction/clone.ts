/**
 * Copies of the header values the transaction layer puts into the requests it builds (ACK
 * for a non-2xx, CANCEL), so that later edits of one message never show up in another.
 */
import type { NameAddr, Uri, Via } from '../message.js';
import { isSipUri, isTelUri } from '../message.js';

export function cloneUri(uri: Uri): Uri {
  if (isSipUri(uri)) return { ...uri, params: new Map(uri.params), headers: new Map(uri.headers) };
  if (isTelUri(uri)) return { ...uri, params: new Map(uri.params) };
  return { ...uri };
}

export function cloneNameAddr(addr: NameAddr): NameAddr {
  return { ...addr, uri: cloneUri(addr.uri), params: new Map(addr.params) };
}

export function cloneVia(via: Via): Via {
  return { ...via, params: new Map(via.params) };
}
