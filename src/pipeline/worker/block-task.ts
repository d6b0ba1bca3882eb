import { blockStored, getSet, type PlannedBlock } from '../../store/similarity.js';
import type { ClaimedTask, NewTask } from '../../store/tasks.js';
import { sequenceMethod } from '../similarity/registry.js';
import { computeAndStoreBlocks } from '../similarity/sequence-stage.js';
import { completeInTransaction, type TaskContext, type TaskOutcome } from './task-context.js';

/** A sim-block task: one planned block of a sequence method's result set (sim_plan row). */
export interface BlockTaskPayload extends PlannedBlock {
  setId: number;
}

/** The tasks of planned blocks: key block:<set>:<i0>:<j0> (sim_plan's key; a planned block never changes). */
export function blockTasks(setId: number, planned: readonly PlannedBlock[]): NewTask[] {
  return planned.map((b) => ({
    kind: 'sim-block',
    key: `block:${setId}:${b.i0}:${b.j0}`,
    payload: { setId, i0: b.i0, i1: b.i1, j0: b.j0, j1: b.j1, diagonal: b.diagonal } satisfies BlockTaskPayload,
  }));
}

/** Pairs in a planned block. */
export function plannedPairs(b: PlannedBlock): number {
  const h = b.i1 - b.i0;
  return b.diagonal ? (h * (h - 1)) / 2 : h * (b.j1 - b.j0);
}

/**
 * Run a sim-block task: the block computed and stored exactly as a single run computes its
 * pending blocks (computeAndStoreBlocks, the method and sequence of the set's stored
 * parameters), the task's completion in the block's transaction. On one worker thread unless
 * ctx.threads is off. A block already stored, or of a set since removed, is skipped.
 */
export async function runBlockTask(ctx: TaskContext, task: ClaimedTask): Promise<TaskOutcome> {
  const p = task.payload as BlockTaskPayload;
  const { db } = ctx;
  const set = getSet(db, p.setId);
  const what = `${set?.method ?? 'similarity'} block ${p.i0}:${p.j0} of set ${p.setId}`;
  const skip = (reason: string): TaskOutcome => {
    db.transaction(() => completeInTransaction(ctx, task))();
    return { outcome: 'skipped', what: `${what} (${reason})` };
  };
  if (!set) return skip('its result set was removed');
  if (blockStored(db, set.id, p.i0, p.j0)) return skip('already stored');
  const m = sequenceMethod(set.params.method);
  const block: PlannedBlock = { i0: p.i0, i1: p.i1, j0: p.j0, j1: p.j1, diagonal: p.diagonal };
  await computeAndStoreBlocks(db, set.id, [block], m.spec(set.params), m.sequence(set.params), {
    workers: 1,
    inline: !ctx.threads,
    signal: ctx.signal,
    inTransaction: () => completeInTransaction(ctx, task),
  });
  return { outcome: 'done', what };
}
