/**
 * Packs: catalogue-wide data in one blob each (src/store/packs.ts keeps them and drops them when
 * features or checkpoints change). Reading a catalogue's 5,000 summary vectors row by row means
 * thousands of B-tree lookups among pages full of large matrices; a pack is one read.
 *
 * - A feature pack holds one stored feature of every track of a catalogue (the tracks
 *   analysedEntries gives for a method's features): the stored float32 values themselves, so
 *   whatever is computed from it is what is computed from the features table. Layout (native
 *   byte order): int32 [1, n, cols, totalRows]; 16 ASCII bytes of the members hash; int32
 *   ids[n]; int32 rows[n]; float32 data[totalRows * cols] (each track's matrix, in id order).
 * - A space pack holds a feature's space (spaceOf in ./vector-model.ts: z-scored over the
 *   catalogue and/or unit length), made once from the feature pack by the same code, in float64.
 *   Layout: int32 [2, n, dim, flags (1: unit, 2: standardised)]; the members hash; int32 ids[n];
 *   zero padding to a multiple of 8 bytes; float64 mean[dim] and std[dim] when standardised;
 *   float64 data[n * dim].
 */
import type { Db } from '../../store/db.js';
import { featureRowsFor, type FeatureRowData } from '../../store/features.js';
import { packGeneration, readPack, writePack } from '../../store/packs.js';
import { paramsHash } from '../../util/hash.js';
import { analysedEntries, type CatalogueEntry } from './catalogue.js';
import { spaceOf, storedSpace, type Space } from './vector-model.js';
import type { SpaceView } from './descriptor-view.js';

const FORMAT = 1;
const SPACE_FORMAT = 2;
const HASH_BYTES = 16;

export interface FeaturePack {
  feature: string;
  /** The catalogue: its track ids, ascending (as analysedEntries lists them). */
  ids: Int32Array;
  /** The catalogue's members hash as runSimilarity computes it: a result set with this hash is current. */
  membersHash: string;
  /** Each track's number of rows; its values start at start[i] in `data` (start has n + 1 entries). */
  rows: Int32Array;
  start: Int32Array;
  cols: number;
  data: Float32Array;
}

/** runSimilarity's hash of a catalogue's members (track ids and the inputs they were analysed from). */
export function membersHashOf(entries: readonly CatalogueEntry[]): string {
  return paramsHash(entries.map((e) => [e.trackId, e.inputSha]));
}

const catalogueKey = (names: readonly string[]) => `catalogue:${[...new Set(names)].sort().join(',')}`;

/** Packs read and made within one read transaction (one snapshot), stored after it. */
class PackSession {
  readonly made: { key: string; blob: Buffer }[] = [];
  private entries: CatalogueEntry[] | undefined;
  constructor(
    private readonly db: Db,
    private readonly names: readonly string[],
  ) {}

  /** A pack stored under `key` (decoded), else one made now (to be stored). */
  pack<T>(key: string, decode: (blob: Buffer) => T | undefined, make: () => Buffer | undefined): T | undefined {
    const stored = readPack(this.db, key);
    const got = stored && decode(stored);
    if (got) return got;
    const blob = make();
    if (!blob) return undefined;
    this.made.push({ key, blob });
    return decode(blob);
  }

  feature(feature: string): FeaturePack | undefined {
    return this.pack(
      `feature:${feature}|${catalogueKey(this.names)}`,
      (b) => decodeFeature(feature, b),
      () => {
        this.entries ??= analysedEntries(this.db, [...this.names]);
        return encodeFeature(this.entries, featureRowsFor(this.db, feature, this.entries.map((e) => e.trackId)));
      },
    );
  }
}

function withPacks<T>(db: Db, names: readonly string[], fn: (s: PackSession) => T): T {
  const session = new PackSession(db, names);
  let generation = 0;
  // one read transaction: the generation and everything read belong to one snapshot
  const out = db.transaction(() => {
    generation = packGeneration(db);
    return fn(session);
  })();
  for (const m of session.made) writePack(db, m.key, generation, m.blob);
  return out;
}

/**
 * `features` of every track that holds all of `names` (the catalogue a method with those
 * features ranks), one pack each, all as of one moment; made and stored when missing or out
 * of date. Undefined when some track of the catalogue lacks one of `features`, or holds it with
 * another number of columns than the others (the row-by-row path then says what is wrong).
 */
export function featurePacks(db: Db, names: readonly string[], features: readonly string[]): FeaturePack[] | undefined {
  return withPacks(db, names, (s) => {
    const out: FeaturePack[] = [];
    for (const f of features) {
      const p = s.feature(f);
      if (!p) return undefined;
      out.push(p);
    }
    return out;
  });
}

export interface SpacePack {
  ids: Int32Array;
  membersHash: string;
  space: Space;
}

/**
 * The space of `feature` over the catalogue of `names` (spaceOf of its vectors, in id order,
 * as loadMatrix reads them, through `view` when given), kept in a pack. Undefined when the
 * feature pack is (see featurePacks) or when the tracks' vectors differ in length.
 */
export function spacePack(db: Db, names: readonly string[], feature: string, standardize: boolean, unit: boolean, view?: SpaceView): SpacePack | undefined {
  return withPacks(db, names, (s) =>
    s.pack(
      `space:${feature}${view ? `@${view.name}` : ''}:${standardize ? 'zscore' : 'none'}:${unit ? 'unit' : 'raw'}|${catalogueKey(names)}`,
      (b) => decodeSpace(b, view),
      () => {
        const f = s.feature(feature);
        if (!f) return undefined;
        const n = f.ids.length;
        if (f.rows.some((r) => r !== f.rows[0])) return undefined;
        const dim = n ? f.rows[0] * f.cols : 0;
        return encodeSpace(f.ids, f.membersHash, spaceOf(Float64Array.from(f.data), dim, n, standardize, unit, view));
      },
    ),
  );
}

function encodeFeature(entries: readonly CatalogueEntry[], rowsOf: Map<number, FeatureRowData>): Buffer | undefined {
  const n = entries.length;
  let cols = -1;
  let totalRows = 0;
  for (const e of entries) {
    const r = rowsOf.get(e.trackId);
    if (!r || (cols >= 0 && r.cols !== cols)) return undefined;
    cols = r.cols;
    totalRows += r.rows;
  }
  if (cols < 0) cols = 0;
  const head = 16 + HASH_BYTES;
  const buf = new ArrayBuffer(head + 8 * n + 4 * totalRows * cols);
  new Int32Array(buf, 0, 4).set([FORMAT, n, cols, totalRows]);
  new Uint8Array(buf, 16, HASH_BYTES).set(Buffer.from(membersHashOf(entries).padEnd(HASH_BYTES).slice(0, HASH_BYTES), 'latin1'));
  const ids = new Int32Array(buf, head, n);
  const rows = new Int32Array(buf, head + 4 * n, n);
  const data = new Float32Array(buf, head + 8 * n, totalRows * cols);
  let at = 0;
  entries.forEach((e, i) => {
    const r = rowsOf.get(e.trackId)!;
    ids[i] = e.trackId;
    rows[i] = r.rows;
    data.set(r.data, at);
    at += r.rows * cols;
  });
  return Buffer.from(buf);
}

/** The blob's bytes starting on an 8-byte boundary (typed views need it), copied if they do not. */
function aligned(blob: Buffer): Buffer {
  if (blob.byteOffset % 8 === 0) return blob;
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return Buffer.from(copy.buffer);
}

function decodeFeature(feature: string, blob: Buffer): FeaturePack | undefined {
  const bytes = aligned(blob);
  if (bytes.byteLength < 16 + HASH_BYTES) return undefined;
  const [format, n, cols, totalRows] = new Int32Array(bytes.buffer, bytes.byteOffset, 4);
  const head = 16 + HASH_BYTES;
  if (format !== FORMAT || n < 0 || cols < 0 || totalRows < 0 || bytes.byteLength !== head + 8 * n + 4 * totalRows * cols) return undefined;
  const rows = new Int32Array(bytes.buffer, bytes.byteOffset + head + 4 * n, n);
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i] + rows[i] * cols;
  if (start[n] !== totalRows * cols) return undefined;
  return {
    feature,
    ids: new Int32Array(bytes.buffer, bytes.byteOffset + head, n),
    membersHash: bytes.toString('latin1', 16, head).trimEnd(),
    rows,
    start,
    cols,
    data: new Float32Array(bytes.buffer, bytes.byteOffset + head + 8 * n, totalRows * cols),
  };
}

function encodeSpace(ids: Int32Array, membersHash: string, sp: Space): Buffer {
  const n = ids.length;
  const dim = sp.dim;
  const head = 16 + HASH_BYTES;
  const at = Math.ceil((head + 4 * n) / 8) * 8;
  const stLength = sp.st ? 2 * dim : 0;
  const buf = new ArrayBuffer(at + 8 * (stLength + sp.data.length));
  new Int32Array(buf, 0, 4).set([SPACE_FORMAT, n, dim, (sp.unit ? 1 : 0) | (sp.st ? 2 : 0)]);
  new Uint8Array(buf, 16, HASH_BYTES).set(Buffer.from(membersHash.padEnd(HASH_BYTES).slice(0, HASH_BYTES), 'latin1'));
  new Int32Array(buf, head, n).set(ids);
  const f64 = new Float64Array(buf, at);
  if (sp.st) {
    f64.set(sp.st.mean, 0);
    f64.set(sp.st.std, dim);
  }
  f64.set(sp.data, stLength);
  return Buffer.from(buf);
}

function decodeSpace(blob: Buffer, view?: SpaceView): SpacePack | undefined {
  const bytes = aligned(blob);
  const head = 16 + HASH_BYTES;
  if (bytes.byteLength < head) return undefined;
  const [format, n, dim, flags] = new Int32Array(bytes.buffer, bytes.byteOffset, 4);
  if (format !== SPACE_FORMAT || n < 0 || dim < 0) return undefined;
  const at = Math.ceil((head + 4 * n) / 8) * 8;
  const stLength = flags & 2 ? 2 * dim : 0;
  if (bytes.byteLength !== at + 8 * (stLength + n * dim)) return undefined;
  const f64 = new Float64Array(bytes.buffer, bytes.byteOffset + at, stLength + n * dim);
  const st = flags & 2 ? { mean: f64.subarray(0, dim), std: f64.subarray(dim, 2 * dim) } : null;
  return {
    ids: new Int32Array(bytes.buffer, bytes.byteOffset + head, n),
    membersHash: bytes.toString('latin1', 16, head).trimEnd(),
    space: storedSpace(f64.subarray(stLength), dim, st, (flags & 1) === 1, view),
  };
}

/** Each track's matrix of a pack (views into it), as featureMap gives them. */
export function packRows(p: FeaturePack): Map<number, FeatureRowData> {
  const out = new Map<number, FeatureRowData>();
  for (let i = 0; i < p.ids.length; i++) out.set(p.ids[i], { rows: p.rows[i], cols: p.cols, data: p.data.subarray(p.start[i], p.start[i + 1]) });
  return out;
}

/** The index of `trackId` in a pack's catalogue, or -1. */
export function indexIn(ids: Int32Array, trackId: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid] < trackId) lo = mid + 1;
    else hi = mid;
  }
  return lo < ids.length && ids[lo] === trackId ? lo : -1;
}
