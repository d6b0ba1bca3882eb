/** Worker thread for the server's long work (see query-tasks.ts); one database connection each. */
import { parentPort, workerData } from 'node:worker_threads';
import { openDb } from '../store/db.js';
import { YasrError } from '../errors.js';
import { runQueryTask, type QueryTask } from './query-tasks.js';

const db = openDb((workerData as { dbPath: string }).dbPath);

parentPort?.on('message', async (msg: { id: number; task: QueryTask }) => {
  try {
    const result = await runQueryTask(db, msg.task);
    parentPort!.postMessage({ id: msg.id, ok: true, result });
  } catch (err) {
    // the code travels with the message, so that the server can answer 404 / 400 / 422
    const code = err instanceof YasrError ? err.code : 'INTERNAL';
    const message = err instanceof Error ? err.message : String(err);
    parentPort!.postMessage({ id: msg.id, ok: false, error: `${code}\u0000${message}` });
  }
});
