import { parentPort } from 'node:worker_threads';
import { analyzeTrack } from './analyze-track.js';
import type { FeatureTask } from './features-stage.js';
import { describeSignal } from './describe.js';

/** Worker thread: analyses one file per message; matrices travel back as transferred buffers. */
parentPort?.on('message', async (msg: { id: number; task: FeatureTask }) => {
  const { id, task } = msg;
  try {
    const r = await analyzeTrack(task.ffmpeg, task.file, task.duration, task.options, describeSignal);
    const transfer = Object.values(r.features).map((m) => m.data.buffer as ArrayBuffer);
    parentPort!.postMessage({ id, ok: true, result: r }, transfer);
  } catch (err) {
    parentPort!.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
