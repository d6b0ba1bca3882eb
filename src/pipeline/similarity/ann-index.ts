/**
 * The catalogue's ANN index (src/similarity/ann/) over one per-track vector, kept up to date
 * incrementally and saved next to the database: the candidate stage of `yasr similarity
 * --candidates C` (./candidates.ts).
 *
 * What it holds: every analysed track with a finite `vector` (default timbre_summary, the default
 * cosine's summary), z-scored with a fit frozen when the index was built, at unit length, so that
 * the inner product is the cosine of the z-scored vectors. Keys are track ids.
 *
 * Where: `<db>.ann/<vector>-<definition>-g<generation>.index` beside a database file (each save
 * writes the next generation, the database row then points at it in one transaction, and older
 * files are deleted: a killed run leaves the previous file and row consistent); only in this
 * process's memory for a `:memory:` database. The row (ann_indexes) and the member list
 * (ann_members, track id and analysed content) say what the file holds (src/store/ann.ts).
 *
 * Kept incrementally: each use compares the analysed catalogue with the members, removes the tracks
 * that left or were re-analysed, adds the new and re-analysed ones (standardised with the frozen
 * fit) and saves. Rebuilt from scratch (a new fit) when:
 * - the definition changes: the vector, FEATURES_VERSION, the backend or its options (a
 *   different hash, hence a different file);
 * - the catalogue has moved too far from the fit: the tracks added plus removed since the build
 *   exceed {@link ANN_REFIT_FRACTION} of the tracks it was built with. A frozen fit keeps old
 *   vectors where they are (no re-insertion of the whole catalogue when one track arrives); the
 *   limit bounds how stale the z-scores of a grown catalogue get (the candidates' exact scores
 *   always use the current catalogue's fit, so a stale fit only costs recall) and how many deleted
 *   nodes an HNSW graph carries;
 * - the file is missing, unreadable or does not hold as many items as the member list says.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../store/db.js';
import { YasrError } from '../../errors.js';
import { featureMap } from '../../store/features.js';
import { annMembers, getAnnIndex, putBuiltAnnIndex, updateAnnIndex, type AnnIndexRow } from '../../store/ann.js';
import { applyStandardizer, fitStandardizer, type Standardizer } from '../../similarity/cosine.js';
import { annBackend, type AnnIndex, type AnnOptions } from '../../similarity/ann/index.js';
import { paramsHash } from '../../util/hash.js';
import { FEATURES_VERSION } from '../feature-options.js';
import { analysedTracks } from './catalogue.js';
import { DEFAULTS } from './defaults.js';

/**
 * Rebuild (refit) when the tracks added plus removed since the build exceed this share of the
 * tracks it was built with: 25 %. A catalogue that grows by a weekly batch of a few hundred tracks
 * is rebuilt every few months at 10,000 tracks; the z-score statistics of timbre vectors move
 * little with a quarter more tracks of the same kind of music.
 */
export const ANN_REFIT_FRACTION = 0.25;

export interface AnnIndexOptions {
  /** The per-track vector (default DEFAULTS.vector: timbre_summary). */
  vector?: string;
  /** ANN backend name (default: YASR_ANN_BACKEND, else auto). */
  backend?: string;
  /** Backend tuning (part of the definition). */
  options?: AnnOptions;
  /** The features version the definition names (default FEATURES_VERSION; tests change it). */
  featuresVersion?: number;
  /** Default {@link ANN_REFIT_FRACTION}. */
  refitFraction?: number;
}

export interface CatalogueIndex {
  index: AnnIndex;
  vector: string;
  dim: number;
  /** Each member's vector as indexed (frozen fit, unit length), rows in `pos` order. */
  rows: Float32Array;
  /** track id -> its row in `rows` (members only: analysed, with a finite vector). */
  pos: Map<number, number>;
  report: AnnIndexReport;
}

export interface AnnIndexReport {
  vector: string;
  /** built (from scratch), updated (tracks added or removed), loaded (from its file, unchanged), reused (already in memory, unchanged). */
  action: 'built' | 'updated' | 'loaded' | 'reused';
  /** Why it was built. */
  reason?: string;
  added: number;
  removed: number;
  size: number;
  backend: string;
  file: string | null;
  seconds: number;
}

/** Indexes held by this process, per database: a :memory: database's only copy, a file's loaded one. */
const held = new WeakMap<Db, Map<string, { definition: string; generation: number; index: AnnIndex }>>();

/** The folder of a database's index files (null for :memory:). */
export function annFolder(db: Db): string | null {
  return db.memory || db.name === ':memory:' || db.name === '' ? null : `${path.resolve(db.name)}.ann`;
}

function fileName(vector: string, definition: string, generation: number): string {
  return `${vector}-${definition}-g${generation}.index`;
}

/** The catalogue's raw vectors: members (analysed, finite) in track-id order. */
function loadVectors(db: Db, vector: string): { ids: number[]; sha: string[]; raw: Float64Array; dim: number } {
  const { entries } = analysedTracks(db, [vector]);
  const all = featureMap(db, vector);
  let dim = 0;
  const ids: number[] = [];
  const sha: string[] = [];
  const rows: Float32Array[] = [];
  for (const e of entries) {
    const v = all.get(e.trackId)!.data;
    if (dim === 0) dim = v.length;
    if (v.length !== dim) throw new YasrError('STORE', `track #${e.trackId}: ${vector} has ${v.length} values, others ${dim}; run yasr features again`);
    if (!v.every(Number.isFinite)) continue;
    ids.push(e.trackId);
    sha.push(e.inputSha);
    rows.push(v);
  }
  const raw = new Float64Array(ids.length * dim);
  rows.forEach((v, i) => raw.set(v, i * dim));
  return { ids, sha, raw, dim };
}

/** Rows z-scored with `fit`, at unit length, as float32 (the indexed form). */
function indexedRows(raw: Float64Array, dim: number, fit: Standardizer): Float32Array {
  const z = applyStandardizer(raw, dim, fit);
  const out = new Float32Array(z.length);
  for (let i = 0; i < z.length / dim; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += z[i * dim + k] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let k = 0; k < dim; k++) out[i * dim + k] = z[i * dim + k] * inv;
  }
  return out;
}

function pick(rows: Float32Array, dim: number, at: number[]): Float32Array {
  const out = new Float32Array(at.length * dim);
  at.forEach((r, i) => out.set(rows.subarray(r * dim, (r + 1) * dim), i * dim));
  return out;
}

/** Save to the next generation's file (written aside, then renamed); returns its path. */
function saveFile(folder: string, index: AnnIndex, vector: string, definition: string, generation: number): string {
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, fileName(vector, definition, generation));
  const tmp = `${file}.tmp-${process.pid}`;
  index.save(tmp);
  renameSync(tmp, file);
  return file;
}

/** Delete the vector's index files other than `keep` (older generations, other definitions). */
function removeOtherFiles(folder: string, vector: string, keep: string | null): void {
  if (!existsSync(folder)) return;
  for (const f of readdirSync(folder)) {
    if (f.startsWith(`${vector}-`) && f.endsWith('.index') && path.join(folder, f) !== keep) {
      try {
        unlinkSync(path.join(folder, f));
      } catch {
        /* gone already */
      }
    }
  }
}

/**
 * The catalogue's index over `vector`, brought up to date (see the module doc): built, updated,
 * loaded from its file or reused from memory.
 */
export function catalogueIndex(db: Db, o: AnnIndexOptions = {}): CatalogueIndex {
  const t0 = performance.now();
  const vector = o.vector ?? DEFAULTS.vector;
  const backend = annBackend(o.backend);
  const fraction = o.refitFraction ?? ANN_REFIT_FRACTION;
  const params = { vector, featuresVersion: o.featuresVersion ?? FEATURES_VERSION, standardize: 'zscore', backend: backend.name, options: o.options ?? {} };
  const definition = paramsHash(params);
  const folder = annFolder(db);
  const { ids, sha, raw, dim } = loadVectors(db, vector);
  const pos = new Map(ids.map((id, i) => [id, i]));
  let cache = held.get(db);
  if (!cache) held.set(db, (cache = new Map()));

  const build = (reason: string, previous?: AnnIndexRow): CatalogueIndex => {
    const fit = fitStandardizer(raw, Math.max(1, dim));
    const rows = indexedRows(raw, dim, fit);
    const index = backend.create(Math.max(1, dim), o.options);
    if (ids.length) index.add(ids, rows);
    const generation = (previous?.generation ?? 0) + 1;
    const file = folder ? saveFile(folder, index, vector, definition, generation) : null;
    putBuiltAnnIndex(db, { vector, definition, params, backend: backend.name, dim, fitMean: fit.mean, fitStd: fit.std, generation }, ids.map((id, i) => ({ trackId: id, inputSha: sha[i] })));
    if (folder) removeOtherFiles(folder, vector, file);
    cache.set(vector, { definition, generation, index });
    return { index, vector, dim, rows, pos, report: { vector, action: 'built', reason, added: ids.length, removed: 0, size: index.size(), backend: backend.name, file, seconds: (performance.now() - t0) / 1000 } };
  };

  const row = getAnnIndex(db, vector);
  if (!row) return build('no index yet');
  if (row.definition !== definition) return build('its definition changed (vector, features version, backend or options)', row);
  if (row.dim !== dim && ids.length) return build(`the vectors now have ${dim} values, not ${row.dim}`, row);
  const members = annMembers(db, row.id);
  const removed: number[] = [];
  for (const [id, s] of members) {
    const p = pos.get(id);
    if (p === undefined || sha[p] !== s) removed.push(id);
  }
  const added: number[] = [];
  ids.forEach((id, i) => {
    if (members.get(id) !== sha[i]) added.push(i);
  });
  const churn = row.churn + added.length + removed.length;
  if (churn > fraction * Math.max(1, row.fitted)) {
    return build(`${churn} tracks added or removed since it was built over ${row.fitted} (over ${Math.round(fraction * 100)} %)`, row);
  }
  // the index as the row describes it: in memory, else from its file
  let index: AnnIndex | undefined;
  let action: AnnIndexReport['action'] = 'reused';
  const mem = cache.get(vector);
  if (mem && mem.definition === definition && mem.generation === row.generation) index = mem.index;
  else if (!folder) return build('not in memory (a :memory: database keeps its index in the process that built it)', row);
  else {
    const file = path.join(folder, fileName(vector, definition, row.generation));
    try {
      index = backend.load(file, dim, o.options);
      action = 'loaded';
    } catch (err) {
      return build(`its file does not load (${(err as Error).message.split('\n')[0]})`, row);
    }
    if (index.size() !== members.size) return build(`its file holds ${index.size()} tracks, the database lists ${members.size}`, row);
  }
  const fit: Standardizer = { mean: row.fitMean, std: row.fitStd };
  const rows = indexedRows(raw, dim, fit);
  let file = folder ? path.join(folder, fileName(vector, definition, row.generation)) : null;
  if (added.length || removed.length) {
    index.remove(removed);
    if (added.length) index.add(added.map((i) => ids[i]), pick(rows, dim, added));
    const generation = row.generation + 1;
    file = folder ? saveFile(folder, index, vector, definition, generation) : null;
    updateAnnIndex(db, row.id, { removed, added: added.map((i) => ({ trackId: ids[i], inputSha: sha[i] })), churn, generation });
    if (folder) removeOtherFiles(folder, vector, file);
    cache.set(vector, { definition, generation, index });
    action = 'updated';
  } else cache.set(vector, { definition, generation: row.generation, index });
  return { index, vector, dim, rows, pos, report: { vector, action, added: added.length, removed: removed.length, size: index.size(), backend: backend.name, file, seconds: (performance.now() - t0) / 1000 } };
}
