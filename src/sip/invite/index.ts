/** INVITE sessions (RFC 3261 §13-§15): outgoing and incoming INVITEs and the established session. */
export { InviteClientSession } from './invite-client-session.js';
export type {
  AcceptedEvent,
  FailedEvent,
  InviteClientDelegate,
  InviteClientState,
  InviteOptions,
  OutgoingInvite,
  ProgressEvent,
} from './invite-client-session.js';
export { InviteServerSession } from './invite-server-session.js';
export type { IncomingInvite, IncomingInviteEvents, InviteServerState } from './invite-server-session.js';
export { InviteSession, statusOf } from './session.js';
export type { InfoEvent, InviteSessionEvents, ReinviteEvent, SessionState, TerminatedEvent } from './session.js';
export { causeOfStatus, describeEnd } from './reasons.js';
export type { EndCause } from './reasons.js';
export type { DialogUsage, SessionHost } from './host.js';
export type { Body } from '../dialog/body.js';
