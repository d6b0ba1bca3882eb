/**
 * The extension point of similarity: one `SimilarityMethod` per file under ./methods/, listed
 * once in ./registry.ts. Everything that names a method (the CLI, nightly, evaluate,
 * recommend, the server) reads the registry; a new method is a new file and a registry line.
 */
import type { Db } from '../../store/db.js';
import type { MethodSpec } from '../../similarity/all-pairs.js';
import type { Candidate } from '../../evaluate/held-out.js';
import type { NeighbourEntry, TrackStat } from '../../store/similarity.js';
import type { CatalogueEntry, CatalogueMember } from './catalogue.js';
import type { DenseMatrix } from './dense.js';
import type { SimilarityParams } from './methods.js';
import type { FeatureCache, ModelOptions, Space, VectorModel } from './vector-model.js';
import type { SpaceView } from './descriptor-view.js';

/** A method's parameters after defaults and validation: what defines a result set (hashed). */
export type NormalizedParams = Record<string, unknown>;

/** Per-track mean and spread of a method's raw scores (timbre's mutual proximity; blocks: per pattern, in parts). */
export type TrackStats = Map<number, TrackStat>;

/** One parameter choice for held-out evaluation: its parameters and a name for reports. */
export interface Choice {
  name: string;
  params: SimilarityParams;
}

/** What an outside file (analysed on the fly) offers a vector method. */
export interface QueryVectors {
  vectors: Record<string, Float32Array>;
  /** Window summaries along the whole file ([W, dim] flattened), e.g. timbre_windows. */
  windows?: Record<string, Float32Array>;
}

interface MethodBase<N extends string> {
  readonly name: N;
  /** Help lines (without the name) for the methods section of the CLI's help. */
  readonly help: readonly string[];
  /** How its scores read: similarities (higher = closer) or distances (lower = closer). */
  readonly orientation: 'similarity' | 'distance';
  /**
   * Raised when the method's arithmetic changes while its parameters do not: normalizedParams
   * (./registry.ts) adds it to the parameters that name a result set, so lists stored by an
   * earlier revision are not read as current (`yasr similarity` computes the new set; status
   * calls the old one outdated).
   */
  readonly revision?: number;
  /** Defaults and the one validation of its parameters; the record that names the result set. */
  normalize(p: SimilarityParams): NormalizedParams;
  /** The stored features it needs (tracks without them are skipped). */
  reads(params: NormalizedParams): string[];
  /**
   * With --candidates: the per-track vectors whose ANN indexes (cosine of the z-scored vectors)
   * give each track its candidates, the union of their top C each: the vectors its score is
   * closest to (./candidates.ts).
   */
  candidateVectors(params: NormalizedParams): string[];
  /** The parameter grid for held-out evaluation; the default first. */
  choices(): Choice[];
  /** Whether recommendations for a stored track read the lists stored by `yasr similarity`. */
  readonly listsForStoredTrack: boolean;
}

/** A model made from one space: see VectorMethod.oneSpace. */
export interface SpaceModel {
  feature: string;
  standardize: boolean;
  unit: boolean;
  /** What is compared of each stored vector (see spaceOf). */
  view?: SpaceView;
  model(s: Space, n: number): VectorModel;
}

/** A method that scores a whole catalogue at once from stored per-track vectors. */
export interface VectorMethod<N extends string = string> extends MethodBase<N> {
  readonly kind: 'vector';
  /** The catalogue's model: every row, and any outside query (options: how candidates build it). */
  model(db: Db, params: NormalizedParams, entries: readonly CatalogueMember[], cache?: FeatureCache, stats?: TrackStats, options?: ModelOptions): VectorModel;
  /**
   * Optional, for a model that is a function of one space (one stored vector per track, made by
   * spaceOf in ./vector-model.ts): the feature, how it is transformed, and the model on it.
   * `model(db, params, ...)` must be `oneSpace(params).model(space, n)` of that space; recommend
   * keeps the space in a pack (./packs.ts) instead of making it for every query.
   */
  oneSpace?(params: NormalizedParams): SpaceModel | undefined;
  /** The raw vectors an outside file must supply to `model(...).query` (undefined: missing). */
  queryInputs(params: NormalizedParams, f: QueryVectors): (Float32Array | undefined)[];
  /**
   * Optional fast path for `yasr similarity`: each track's k nearest (and farthest, may be empty)
   * without the whole model; undefined to use the model. `threads`: how many it may use (this one included).
   */
  topK?(db: Db, params: NormalizedParams, entries: CatalogueEntry[], k: number, threads?: number): Map<number, { nearest: NeighbourEntry[]; farthest: NeighbourEntry[] }> | undefined;
  /**
   * Optional: held-out candidates made cheaper than one dense matrix per choice (hybrid sums its
   * components' matrices). `onSharedTracks` re-indexes matrices onto the tracks they all have.
   */
  evaluationCandidates?(
    choices: Choice[],
    dense: (p: SimilarityParams) => DenseMatrix,
    onSharedTracks: (ms: readonly DenseMatrix[]) => { trackIds: number[]; matrices: Float32Array[] },
  ): { trackIds: number[]; candidates: Candidate[] };
}

/** A method that aligns stored frame sequences pair by pair, in resumable blocks. */
export interface SequenceMethod<N extends string = string> extends MethodBase<N> {
  readonly kind: 'sequence';
  /** The stored sequence it aligns. */
  sequence(params: NormalizedParams): string;
  /** The all-pairs computation (src/similarity/all-pairs.ts). */
  spec(params: NormalizedParams): MethodSpec;
  /** The distance of two sequences already pooled by spec.pool (an outside file against each track). */
  distance(spec: MethodSpec, a: Float32Array, b: Float32Array, dim: number): number;
}

export type SimilarityMethod<N extends string = string> = VectorMethod<N> | SequenceMethod<N>;
