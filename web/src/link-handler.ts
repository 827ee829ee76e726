/**
 * sip: and tel: links. The page offers itself as the browser's handler for both schemes (they
 * are on the HTML standard's safelist, so no web+ prefix is needed). The handler opens a new
 * tab at /#dial=…; that tab has no token (sessionStorage is per tab), so it hands the number
 * to an open softphone tab over a BroadcastChannel and says where the call went.
 */
import { HANDLED_SCHEMES } from './protocol-links.js';

export type HandlerResult = { ok: true } | { ok: false; message: string };

export function registerLinkHandlers(): HandlerResult {
  const nav = navigator as Navigator & { registerProtocolHandler?: (scheme: string, url: string) => void };
  if (typeof nav.registerProtocolHandler !== 'function') {
    return { ok: false, message: 'This browser does not let pages handle links (Safari and mobile browsers do not).' };
  }
  const url = `${location.origin}${location.pathname}#dial=%s`;
  try {
    for (const scheme of HANDLED_SCHEMES) nav.registerProtocolHandler(scheme, url);
    return { ok: true };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

const CHANNEL = 'softphone';

type ChannelMessage = { type: 'dial'; target: string; id: string } | { type: 'dial-taken'; id: string };

/** In a tab with a token: accept numbers handed over by link tabs. Returns a stop function. */
export function acceptHandedOverDials(onDial: (target: string) => void): () => void {
  if (typeof BroadcastChannel === 'undefined') return () => {};
  const ch = new BroadcastChannel(CHANNEL);
  ch.onmessage = (m: MessageEvent<ChannelMessage>) => {
    if (m.data?.type !== 'dial') return;
    ch.postMessage({ type: 'dial-taken', id: m.data.id } satisfies ChannelMessage);
    onDial(m.data.target);
  };
  return () => ch.close();
}

/** In a link tab without a token: hand the number over; resolves true if a tab took it. */
export function handOverDial(target: string, waitMs = 800): Promise<boolean> {
  if (typeof BroadcastChannel === 'undefined') return Promise.resolve(false);
  return new Promise((resolve) => {
    const ch = new BroadcastChannel(CHANNEL);
    const id = Math.random().toString(36).slice(2);
    const done = (taken: boolean) => {
      clearTimeout(timer);
      ch.close();
      resolve(taken);
    };
    const timer = setTimeout(() => done(false), waitMs);
    ch.onmessage = (m: MessageEvent<ChannelMessage>) => {
      if (m.data?.type === 'dial-taken' && m.data.id === id) done(true);
    };
    ch.postMessage({ type: 'dial', target, id } satisfies ChannelMessage);
  });
}
