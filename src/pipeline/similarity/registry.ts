/**
 * The similarity methods, in the order the CLI and reports list them: the one list that
 * everything naming a method reads. A new method: a file under ./methods/ implementing
 * `SimilarityMethod` (./method.ts) and a line here.
 */
import { badParameter } from '../../errors.js';
import type { NormalizedParams, SequenceMethod, SimilarityMethod, VectorMethod } from './method.js';
import type { SimilarityParams } from './methods.js';
import { cosine } from './methods/cosine.js';
import { dtw } from './methods/dtw.js';
import { fastdtw } from './methods/fastdtw.js';
import { features } from './methods/features.js';
import { hybrid } from './methods/hybrid.js';
import { timbre } from './methods/timbre.js';
import { blocks } from './methods/blocks.js';

const REGISTERED = [cosine, timbre, dtw, fastdtw, features, hybrid, blocks] as const;

export type MethodName = (typeof REGISTERED)[number]['name'];

export const METHOD_NAMES: readonly MethodName[] = REGISTERED.map((m) => m.name);

const BY_NAME = new Map<string, SimilarityMethod>(REGISTERED.map((m) => [m.name, m]));

/** Whether `name` is a registered method. */
export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && BY_NAME.has(name);
}

/** The method called `name`; an unknown name is a bad --method. */
export function methodNamed(name: unknown): SimilarityMethod {
  const m = typeof name === 'string' ? BY_NAME.get(name) : undefined;
  if (!m) throw badParameter('--method', name, METHOD_NAMES.join(', '));
  return m;
}

/**
 * The record that names a result set: the method's normalised parameters (its one validation),
 * and its revision when it has one (./method.ts: lists of an earlier revision then have other
 * parameters, so nothing finds them as current).
 */
export function normalizedParams(p: SimilarityParams): NormalizedParams {
  const m = methodNamed(p.method);
  const params = m.normalize(p);
  return m.revision === undefined ? params : { ...params, revision: m.revision };
}

/** Every registered method, in order. */
export function allMethods(): readonly SimilarityMethod[] {
  return REGISTERED;
}

/** The method called `name`, which must be a vector method. */
export function vectorMethod(name: unknown): VectorMethod {
  const m = methodNamed(name);
  if (m.kind !== 'vector') throw new Error(`${String(name)} is not a vector method`);
  return m;
}

/** The method called `name`, which must be a sequence method. */
export function sequenceMethod(name: unknown): SequenceMethod {
  const m = methodNamed(name);
  if (m.kind !== 'sequence') throw new Error(`${String(name)} is not a sequence method`);
  return m;
}
