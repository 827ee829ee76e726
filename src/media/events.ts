/**
 * A small typed event emitter for media objects. It runs anywhere (Node's EventEmitter is not
 * isomorphic) and stays inside media/ so this layer does not reach sideways into sip/.
 * Listeners run synchronously in the order they were added; a throwing listener does not stop
 * the others (its error goes to `onListenerError`).
 */
export type MediaEventMap = Record<string, unknown>;
export type MediaListener<T> = (event: T) => void;

export class MediaEmitter<E extends MediaEventMap> {
  private listeners: { [K in keyof E]?: MediaListener<E[K]>[] } = {};
  onListenerError: (err: unknown) => void = () => {};

  /** Add a listener; returns a function that removes it. */
  on<K extends keyof E>(name: K, fn: MediaListener<E[K]>): () => void {
    (this.listeners[name] ??= []).push(fn);
    return () => this.off(name, fn);
  }

  off<K extends keyof E>(name: K, fn: MediaListener<E[K]>): void {
    const list = this.listeners[name];
    if (list) this.listeners[name] = list.filter((l) => l !== fn);
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

  protected emit<K extends keyof E>(name: K, event: E[K]): void {
    const list = this.listeners[name];
    if (!list) return;
    for (const fn of list.slice()) {
      try {
        fn(event);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  protected hasListeners<K extends keyof E>(name: K): boolean {
    return (this.listeners[name]?.length ?? 0) > 0;
  }

  protected removeAllListeners(): void {
    this.listeners = {};
  }
}
