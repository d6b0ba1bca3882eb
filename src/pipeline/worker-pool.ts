import { Worker } from 'node:worker_threads';

/**
 * A small pool of worker threads running one worker file. Tasks go to idle workers; a worker
 * that dies (a crash, out of memory) fails only its task and is replaced.
 * The worker file answers each `{id, task}` message with `{id, ok: true, result}` or
 * `{id, ok: false, error}`.
 */
export class WorkerPool<T, R> {
  private readonly workers: { w: Worker; busy: number | null }[] = [];
  private readonly queue: { id: number; task: T; resolve: (r: R) => void; reject: (e: Error) => void }[] = [];
  private readonly pending = new Map<number, { resolve: (r: R) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly size: number,
    private readonly workerData?: unknown,
  ) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn(): void {
    const w = new Worker(this.file, { workerData: this.workerData });
    const slot = { w, busy: null as number | null };
    w.on('message', (msg: { id: number; ok: boolean; result?: R; error?: string }) => {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      slot.busy = null;
      if (p) {
        if (msg.ok) p.resolve(msg.result as R);
        else p.reject(new Error(msg.error ?? 'worker failed'));
      }
      this.pump();
    });
    const onDeath = (err: Error) => {
      const idx = this.workers.indexOf(slot);
      if (idx >= 0) this.workers.splice(idx, 1);
      if (slot.busy !== null) {
        const p = this.pending.get(slot.busy);
        this.pending.delete(slot.busy);
        p?.reject(new Error(`analysis worker died: ${err.message}`));
      }
      if (!this.closed) {
        this.spawn();
        this.pump();
      }
    };
    w.on('error', onDeath);
    w.on('exit', (code) => {
      if (!this.closed && this.workers.includes(slot)) onDeath(new Error(`exit code ${code}`));
    });
    this.workers.push(slot);
  }

  run(task: T, transfer: ArrayBuffer[] = []): Promise<R> {
    void transfer;
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (const slot of this.workers) {
      if (slot.busy !== null) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.busy = job.id;
      this.pending.set(job.id, { resolve: job.resolve, reject: job.reject });
      slot.w.postMessage({ id: job.id, task: job.task });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((s) => s.w.terminate()));
    this.workers.length = 0;
  }
}
