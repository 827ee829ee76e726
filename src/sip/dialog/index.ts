/** Dialogs (RFC 3261 §12). */
export { Dialog, DialogError, cloneAddr, dialogKey, isTargetRefresh } from './dialog.js';
export type { DialogId, DialogInit, DialogState } from './dialog.js';
export { DialogTable } from './dialog-table.js';
export { bodyOf } from './body.js';
export type { Body } from './body.js';
