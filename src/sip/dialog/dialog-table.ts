/**
 * The UA's table of dialogs (RFC 3261 §12.2.2): requests with a To tag are matched to the
 * usage owning the dialog by Call-ID, local tag (their To tag) and remote tag (their From tag).
 */
import type { SipRequest } from '../message.js';
import { tagOf } from '../message.js';
import type { DialogId } from './dialog.js';
import { dialogKey } from './dialog.js';

export class DialogTable<U> {
  private readonly byKey = new Map<string, U>();

  add(id: DialogId, usage: U): void {
    this.byKey.set(dialogKey(id), usage);
  }

  /** Forget `id`; when `usage` is given, only if it is still the one registered. */
  remove(id: DialogId, usage?: U): void {
    const key = dialogKey(id);
    if (usage === undefined || this.byKey.get(key) === usage) this.byKey.delete(key);
  }

  get(id: DialogId): U | undefined {
    return this.byKey.get(dialogKey(id));
  }

  /** The usage of the dialog `request` belongs to (by its To tag, From tag and Call-ID). */
  find(request: SipRequest): U | undefined {
    const localTag = tagOf(request.to);
    const remoteTag = tagOf(request.from);
    if (localTag === undefined || remoteTag === undefined) return undefined;
    return this.byKey.get(dialogKey({ callId: request.callId, localTag, remoteTag }));
  }

  get size(): number {
    return this.byKey.size;
  }

  values(): U[] {
    return [...this.byKey.values()];
  }
}
