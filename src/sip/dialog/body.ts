/** A message body with its type (an SDP offer or answer, an INFO payload). */
export interface Body {
  contentType: string;
  bytes: Uint8Array;
}

/** The body of a message, when it has one. */
export function bodyOf(message: { contentType?: string; body: Uint8Array }): Body | undefined {
  if (message.body.length === 0) return undefined;
  return { contentType: message.contentType ?? 'application/octet-stream', bytes: message.body };
}
