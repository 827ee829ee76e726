/**
 * A minimal typed event emitter that runs anywhere (Node's EventEmitter is not isomorphic),
 * shared by every layer (sip/, media/, phone/) so none reaches sideways into another for it.
 * Listeners run synchronously in the order they were added; a throwing listener does not
 * stop the others (the error goes to `onListenerError`). The lists are copied when listeners
 * are added or removed, never when an event is emitted: an emit allocates nothing (media
 * streams emit per packet), and one that adds or removes listeners does not change who hears
 * the event in flight.
 */
export type EventMap = Record<string, unknown>;
export type Listener<T> = (event: T) => void;

export class Emitter<E extends EventMap> {
  private listeners: { [K in keyof E]?: Listener<E[K]>[] } = {};
  onListenerError: (err: unknown) => void = () => {};

  on<K extends keyof E>(name: K, fn: Listener<E[K]>): () => void {
    const list = this.listeners[name];
    this.listeners[name] = list ? [...list, fn] : [fn];
    return () => this.off(name, fn);
  }

  once<K extends keyof E>(name: K, fn: Listener<E[K]>): () => void {
    const off = this.on(name, (e) => {
      off();
      fn(e);
    });
    return off;
  }

  off<K extends keyof E>(name: K, fn: Listener<E[K]>): void {
    const list = this.listeners[name];
    if (list) this.listeners[name] = list.filter((l) => l !== fn);
  }

  emit<K extends keyof E>(name: K, event: E[K]): void {
    const list = this.listeners[name];
    if (!list) return;
    for (const fn of list) {
      try {
        fn(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  /** Resolves with the first event for which `pred` holds. */
  waitFor<K extends keyof E>(name: K, pred: (e: E[K]) => boolean = () => true): Promise<E[K]> {
    return new Promise((resolve) => {
      const off = this.on(name, (e) => {
        if (pred(e)) {
          off();
          resolve(e);
        }
      });
    });
  }

  hasListeners<K extends keyof E>(name: K): boolean {
    return (this.listeners[name]?.length ?? 0) > 0;
  }

  removeAll(): void {
    this.listeners = {};
  }
}
