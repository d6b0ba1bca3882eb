import { WorkerPool } from '../pipeline/worker-pool.js';
import { workerFile } from '../util/worker-url.js';
import { YasrError, type YasrErrorCode } from '../errors.js';
import type { QueryResult, QueryTask } from './query-tasks.js';

/** The server's worker threads; errors come back as YasrErrors with their codes. */
export class QueryPool {
  private readonly pool: WorkerPool<QueryTask, QueryResult>;

  constructor(dbPath: string, size: number) {
    this.pool = new WorkerPool<QueryTask, QueryResult>(workerFile(import.meta.url, 'query-worker'), size, { dbPath });
  }

  async run<K extends QueryTask['kind']>(task: Extract<QueryTask, { kind: K }>, timeoutMs = 120_000): Promise<Extract<QueryResult, { kind: K }>> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const r = await Promise.race([
        this.pool.run(task),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new YasrError('ANALYSIS_FAILED', `${task.kind} took longer than ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
        }),
      ]);
      return r as Extract<QueryResult, { kind: K }>;
    } catch (err) {
      if (err instanceof YasrError) throw err;
      const [code, message] = String((err as Error).message).split('\u0000');
      if (message === undefined) throw new YasrError('INTERNAL', code);
      throw new YasrError(code as YasrErrorCode, message);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
