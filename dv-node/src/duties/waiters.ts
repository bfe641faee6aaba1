/** A keyed set of promises resolved when a value arrives or rejected at a wall-clock deadline (ms since epoch). */
export class Waiters<T> {
  readonly #waiting = new Map<string, { resolve: (v: T) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[]>();

  wait(key: string, deadlineMs: number, onTimeout: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const list = this.#waiting.get(key) ?? [];
      const entry = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const l = this.#waiting.get(key);
          if (l) {
            const i = l.indexOf(entry);
            if (i >= 0) l.splice(i, 1);
            if (l.length === 0) this.#waiting.delete(key);
          }
          reject(onTimeout());
        }, Math.max(0, deadlineMs - Date.now())),
      };
      list.push(entry);
      this.#waiting.set(key, list);
    });
  }

  resolve(key: string, value: T): void {
    const list = this.#waiting.get(key);
    if (!list) return;
    this.#waiting.delete(key);
    for (const w of list) {
      clearTimeout(w.timer);
      w.resolve(value);
    }
  }

  /** Rejects everything still waiting (shutdown). */
  close(err: Error): void {
    for (const list of this.#waiting.values()) {
      for (const w of list) {
        clearTimeout(w.timer);
        w.reject(err);
      }
    }
    this.#waiting.clear();
  }
}
