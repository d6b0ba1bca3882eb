import { Worker } from 'node:worker_threads';

interface Job<T, R> {
  id: number;
  task: T;
  resolve: (r: R) => void;
  reject: (e: Error) => void;
  attempts: number;
}

/**
 * A small pool of worker threads running one worker file. Tasks go to idle workers; a worker
 * that dies (a crash, out of memory) fails only its task and is replaced.
 * The worker file answers each `{id, task}` message with `{id, ok: true, result}` or
 * `{id, ok: false, error}`.
 */
export class WorkerPool<T, R> {
  private readonly workers: { w: Worker; busy: Set<number> }[] = [];
  private readonly queue: Job<T, R>[] = [];
  private readonly pending = new Map<number, Job<T, R>>();
  private nextId = 1;
  private closed = false;

  /**
   * @param perWorker tasks in flight per worker: 2 lets a worker's next task wait on I/O (an
   *   ffmpeg decode in its own process) while the current one computes.
   */
  constructor(
    private readonly file: string,
    private readonly size: number,
    private readonly workerData?: unknown,
    private readonly perWorker = 1,
  ) {
    for (let i = 0; i < size; i++) this.spawn();
  }

  private spawn(): void {
    const w = new Worker(this.file, { workerData: this.workerData });
    const slot = { w, busy: new Set<number>() };
    w.on('message', (msg: { id: number; ok: boolean; result?: R; error?: string }) => {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      slot.busy.delete(msg.id);
      if (p) {
        if (msg.ok) p.resolve(msg.result as R);
        else p.reject(new Error(msg.error ?? 'worker failed'));
      }
      this.pump();
    });
    const onDeath = (err: Error) => {
      const idx = this.workers.indexOf(slot);
      if (idx >= 0) this.workers.splice(idx, 1);
      // Which of its tasks killed the worker is unknown: each is tried once more (alone
      // on a fresh worker, at the front of the queue) before it is failed.
      for (const id of slot.busy) {
        const job = this.pending.get(id);
        this.pending.delete(id);
        if (!job) continue;
        if (job.attempts < 2) this.queue.unshift(job);
        else job.reject(new Error(`analysis worker died: ${err.message}`));
      }
      slot.busy.clear();
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
      this.queue.push({ id: this.nextId++, task, resolve, reject, attempts: 0 });
      this.pump();
    });
  }

  private pump(): void {
    for (let round = 0; round < this.perWorker; round++) {
      for (const slot of this.workers) {
        const job = this.queue[0];
        if (!job) return;
        if (slot.busy.size > round) continue;
        // a task retried after a worker died runs alone, and nothing joins it
        const soloRunning = [...slot.busy].some((id) => (this.pending.get(id)?.attempts ?? 0) > 1);
        if (slot.busy.size > 0 && (job.attempts > 0 || soloRunning)) continue;
        this.queue.shift();
        this.assign(slot, job);
      }
    }
  }

  private assign(slot: { w: Worker; busy: Set<number> }, job: Job<T, R>): void {
    job.attempts++;
    slot.busy.add(job.id);
    this.pending.set(job.id, job);
    slot.w.postMessage({ id: job.id, task: job.task });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((s) => s.w.terminate()));
    this.workers.length = 0;
  }
}
