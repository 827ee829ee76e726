/**
 * The echo service: a second user agent on loopback that answers every call at once and
 * plays back what it hears. Dialling `echo` calls it over real SIP and RTP, so an echo test
 * exercises the whole pipeline (signalling, SDP, RTP, jitter buffer, codec) with no server.
 */
import type { AudioFormat } from '../media/audio-frame.js';
import { EchoDevice } from '../media/devices/echo.js';
import type { SipUri } from '../sip/message.js';
import type { UserAgent } from '../sip/user-agent.js';
import type { CodecCapability } from '../sdp/local-media.js';
import type { MediaEnvironment } from './call.js';
import { Call } from './call.js';

export class EchoService {
  readonly uri: SipUri;
  private readonly ua: UserAgent;
  private readonly calls = new Set<Call>();

  constructor(ua: UserAgent, opts: { media: MediaEnvironment; codecs: CodecCapability[]; delayMs?: number }) {
    this.ua = ua;
    const protocol = ua.defaultProtocol();
    this.uri = ua.contactUri('echo', protocol);
    ua.onInvite((invite) => {
      let device: EchoDevice | undefined;
      const echo = (format: AudioFormat) => (device ??= new EchoDevice(format, { delayMs: opts.delayMs ?? 0 }));
      void Call.receive(invite, {
        media: opts.media,
        codecs: opts.codecs,
        audio: { source: echo, sink: echo },
        contact: ua.contactUri('echo', protocol),
        random: ua.random,
      }).then((call) => {
        if (call.state === 'ended') return;
        this.calls.add(call);
        call.once('ended', () => this.calls.delete(call));
        call.answer();
      });
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.calls].map((c) => c.hangup()));
    await this.ua.close();
  }
}
