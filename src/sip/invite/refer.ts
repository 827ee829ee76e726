/**
 * A REFER sent inside an INVITE session's dialog (RFC 3515), for a blind transfer: "please
 * call <Refer-To> yourself", and the implicit subscription that reports how that call went.
 *
 *   start() ──REFER──► 2xx ──► accepted ──NOTIFY sipfrag 1xx──► accepted ──NOTIFY 2xx-6xx──► done
 *                └─ 3xx-6xx, timeout ──► refused                 (or Subscription-State: terminated)
 *
 * RFC 3515 §2.4.4: "The NOTIFY mechanism defined in [2] MUST be used to inform the agent
 * sending the REFER of the status of the reference", with a message/sipfrag body whose start
 * line is the status of the referred request. Each NOTIFY is answered 200 (§2.4.5: the
 * REFER-issuer answers NOTIFYs like any subscriber). Only what a blind transfer needs:
 * no Replaces (RFC 3891), no Refer-Sub: false (RFC 4488), no re-subscribe.
 */
import type { Dialog } from '../dialog/dialog.js';
import { Emitter } from '../../platform/emitter.js';
import type { Uri } from '../message.js';
import { getHeader } from '../message.js';
import type { IncomingRequest } from '../request-dispatch.js';
import { serializeUri } from '../serializer.js';
import type { SessionHost } from './host.js';
import { initialSeq } from './host.js';
import { statusOf } from './session.js';

/** The status line of the referred request, as a NOTIFY reported it. */
export interface ReferProgress {
  status: number;
  reason: string;
  /** The last report: a final status, or the subscription ended. */
  final: boolean;
}

export interface ReferClientEvents {
  [key: string]: unknown;
  /** The REFER itself was answered (2xx: accepted; else refused). */
  response: { status: number };
  /** A NOTIFY about the referred call. */
  progress: ReferProgress;
}

const dec = new TextDecoder();

/** RFC 3420 message/sipfrag: we need only its start line, `SIP/2.0 200 OK`. */
export function parseSipfragStatus(body: Uint8Array): { status: number; reason: string } | undefined {
  const first = dec.decode(body).split(/\r?\n/, 1)[0] ?? '';
  const m = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/i.exec(first.trim());
  return m ? { status: Number(m[1]), reason: m[2] ?? '' } : undefined;
}

export class ReferClient extends Emitter<ReferClientEvents> {
  private readonly host: SessionHost;
  private readonly dialog: Dialog;
  readonly referTo: Uri;
  private seq = 0;
  private finished = false;
  private readonly finalReport: Promise<ReferProgress>;
  private resolveFinal!: (p: ReferProgress) => void;

  constructor(host: SessionHost, dialog: Dialog, referTo: Uri) {
    super();
    this.host = host;
    this.dialog = dialog;
    this.referTo = referTo;
    this.finalReport = new Promise((resolve) => (this.resolveFinal = resolve));
  }

  /** Send the REFER; resolves with the status of its final response (408 timeout, 503 transport). */
  start(): Promise<number> {
    this.seq = this.dialog.nextSeq(() => initialSeq(this.host));
    const req = this.dialog.createRequest('REFER', this.seq, {
      headers: [{ name: 'Refer-To', value: `<${serializeUri(this.referTo)}>` }],
    });
    return new Promise((resolve) => {
      this.host.sendRequest(req, {
        onOutcome: (o) => {
          // The UA answers digest challenges with CSeq+1 on the same request object.
          if (this.dialog.localSeq === undefined || req.cseq.seq > this.dialog.localSeq) this.dialog.localSeq = req.cseq.seq;
          this.seq = req.cseq.seq;
          const status = statusOf(o);
          this.emit('response', { status });
          if (status >= 300) this.finish({ status, reason: o.kind === 'response' ? o.response.reason : 'no response to the REFER', final: true });
          resolve(status);
        },
      });
    });
  }

  /** Resolves with the last report: the referred call's final status, or why it ended. */
  done(): Promise<ReferProgress> {
    return this.finalReport;
  }

  /** Whether a NOTIFY (already in our dialog) belongs to this REFER's subscription. */
  matches(incoming: IncomingRequest): boolean {
    const event = getHeader(incoming.request, 'event') ?? getHeader(incoming.request, 'o');
    if (!event || event.split(';')[0]!.trim().toLowerCase() !== 'refer') return false;
    // §2.4.6: "id" names the REFER's CSeq when several share the dialog; absent, the first.
    const id = /;\s*id\s*=\s*(\d+)/i.exec(event)?.[1];
    return id === undefined || Number(id) === this.seq;
  }

  /** A NOTIFY of the implicit subscription: answer 200 and report its sipfrag. */
  receiveNotify(incoming: IncomingRequest): void {
    const req = incoming.request;
    incoming.respond(200);
    if (this.finished) return;
    const frag = parseSipfragStatus(req.body);
    const subState = (getHeader(req, 'subscription-state') ?? '').split(';')[0]!.trim().toLowerCase();
    const terminated = subState === 'terminated';
    if (frag) {
      const final = frag.status >= 200 || terminated;
      const p: ReferProgress = { ...frag, final };
      if (final) this.finish(p);
      else this.emit('progress', p);
    } else if (terminated) {
      this.finish({ status: 0, reason: 'the transfer subscription ended without a final status', final: true });
    }
  }

  /** The dialog ended before a final report. */
  abandon(reason: string): void {
    this.finish({ status: 0, reason, final: true });
  }

  private finish(p: ReferProgress): void {
    if (this.finished) return;
    this.finished = true;
    this.emit('progress', p);
    this.resolveFinal(p);
  }
}
