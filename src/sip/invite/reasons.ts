/**
 * Why a call ended or failed, for people: the final status of an INVITE mapped to a small set
 * of causes (RFC 3261 §21) and a short sentence ("busy (486 Busy Here)").
 */
export type EndCause =
  | 'busy'
  | 'declined'
  | 'not-found'
  | 'unavailable'
  | 'no-answer'
  | 'cancelled'
  | 'rejected'
  | 'not-acceptable'
  | 'auth-failed'
  | 'timeout'
  | 'network'
  | 'server-error'
  | 'redirect-loop'
  | 'normal';

/** The cause a final failure status stands for. */
export function causeOfStatus(status: number): EndCause {
  switch (status) {
    case 486: // Busy Here
    case 600: // Busy Everywhere
      return 'busy';
    case 603: // Decline
      return 'declined';
    case 404: // Not Found
    case 410: // Gone
    case 484: // Address Incomplete
    case 604: // Does Not Exist Anywhere
      return 'not-found';
    case 480: // Temporarily Unavailable
      return 'unavailable';
    case 408: // Request Timeout: nobody answered in time
      return 'no-answer';
    case 487: // Request Terminated
      return 'cancelled';
    case 415: // Unsupported Media Type
    case 488: // Not Acceptable Here
    case 606: // Not Acceptable
      return 'not-acceptable';
    case 401:
    case 407:
      return 'auth-failed';
  }
  if (status >= 500 && status < 600) return 'server-error';
  return 'rejected';
}

const WORDS: Readonly<Record<EndCause, string>> = {
  busy: 'busy',
  declined: 'declined',
  'not-found': 'not found',
  unavailable: 'unavailable',
  'no-answer': 'no answer',
  cancelled: 'cancelled',
  rejected: 'rejected',
  'not-acceptable': 'media not acceptable',
  'auth-failed': 'authentication failed',
  timeout: 'no response (timeout)',
  network: 'network error',
  'server-error': 'server error',
  'redirect-loop': 'redirect loop',
  normal: 'ended',
};

/** "busy (486 Busy Here)"; without a status (0), the cause and the detail. */
export function describeEnd(cause: EndCause, status: number, reason: string): string {
  if (status > 0) return `${WORDS[cause]} (${status} ${reason})`;
  return reason ? `${WORDS[cause]}: ${reason}` : WORDS[cause];
}
