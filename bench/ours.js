// "ours": the release wasm engine in the app's own module worker (www/worker.js), called with
// the app's message protocol ({ id, method, args } → { id, result } | { id, error }).

export class Ours {
  constructor() {
    this.worker = new Worker(new URL('../www/worker.js', import.meta.url), { type: 'module' });
    this.next = 1;
    /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
    this.pending = new Map();
    this.worker.onmessage = (e) => {
      const m = e.data;
      if (m.type === 'progress') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ('error' in m) p.reject(new Error(m.error));
      else p.resolve(m.result);
    };
  }

  /** @param {string} method @param {...unknown} args @returns {Promise<any>} */
  call(method, ...args) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args });
    });
  }

  close() {
    this.worker.terminate();
  }
}
