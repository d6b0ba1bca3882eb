/**
 * Do ratings re-rank as intended? A replayed listening session on the synthetic catalogue
 * (benchmarks/pipeline/synthetic-catalogue.ts: N tracks, about 8 per artist, each artist a
 * timbre of its own). A simulated listener has a hidden taste: a quarter of the artists liked, a
 * quarter disliked, the rest neutral. For each session query the listener looks at the top 10
 * and rates up to RATE_PER_QUERY of the shown tracks whose artist they like or dislike (thumbs up
 * / down, through rate()). Then every query is run again, and so are held-out queries that were
 * never rated (there only the weaker "other query" ratings act). Measured, before -> after:
 *   - P@10 of liked / disliked artists: the share of the top 10 by artists the listener likes or
 *     dislikes;
 *   - the mean rank change (positive = up) of the neighbours of the rated tracks: the 5 nearest
 *     unrated tracks of each liked (disliked) track, in the method's own space;
 *   - how many tracks rated down came back for the query they were rated down for (must be 0).
 * Usage: node dist/benchmarks/pipeline/rerank-session.js [N=480] [SESSION_QUERIES=12] [HELD_OUT=12]
 * Prints a markdown section and writes it to benchmarks/pipeline/rerank-session.md.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb, type Db } from '../../src/store/db.js';
import { buildSyntheticCatalogue } from './synthetic-catalogue.js';
import { runSimilarity } from '../../src/pipeline/similarity/run-similarity.js';
import { recommend, type RecommendResult } from '../../src/pipeline/recommend.js';
import { rate } from '../../src/pipeline/ratings.js';
import { OTHER_QUERY, RERANK_WEIGHT, THIS_QUERY } from '../../src/pipeline/rerank.js';
import type { SimilarityParams } from '../../src/pipeline/similarity/methods.js';
import { allTracks } from '../../src/store/tracks.js';
import { rng } from '../../src/demo/synth.js';
import { machineLine, median, today } from '../machine.js';

const N = Number(process.argv[2] ?? 480);
const SESSION = Number(process.argv[3] ?? 12);
const HELD_OUT = Number(process.argv[4] ?? 12);
const K = 10;
const RATE_PER_QUERY = 3;
const NEIGHBOURS = 5;
const filters = { maxPopularity: 100, excludeSameArtist: true };

interface Row {
  method: string;
  set: string;
  queries: number;
  ratings: string;
  pLikedBefore: number;
  pLikedAfter: number;
  pDislikedBefore: number;
  pDislikedAfter: number;
  likedNbMove: number;
  likedNbN: number;
  dislikedNbMove: number;
  dislikedNbN: number;
  shownAgain: number;
  /** Median rank, before, of the tracks in the top 10 after: how far from the query's own neighbourhood the ratings reach. */
  origRank: number;
  msBefore: number;
  msAfter: number;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

function replay(db: Db, label: string, params: SimilarityParams): Row[] {
  db.prepare('DELETE FROM ratings').run();
  const tracks = allTracks(db);
  const artistOf = new Map(tracks.map((t) => [t.id, t.artist ?? '']));
  const r = rng(11);
  const artists = [...new Set(tracks.map((t) => t.artist ?? ''))].sort();
  const taste = new Map(artists.map((a) => [a, r() < 0.25 ? 1 : r() < 1 / 3 ? -1 : 0]));
  const shuffled = [...tracks];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const session = shuffled.slice(0, SESSION).map((t) => t.id);
  const heldOut = shuffled.slice(SESSION, SESSION + HELD_OUT).map((t) => t.id);
  const run = (q: number, ratings: 'use' | 'ignore'): { res: RecommendResult; ms: number } => {
    const t0 = performance.now();
    const res = recommend(db, { trackId: q }, params, { k: N, least: 0, filters, ratings });
    return { res, ms: performance.now() - t0 };
  };
  const before = new Map<number, { res: RecommendResult; ms: number }>();
  for (const q of [...session, ...heldOut]) before.set(q, run(q, 'ignore'));
  // the session: rate what is shown
  const liked: number[] = [];
  const disliked: { q: number; id: number }[] = [];
  let up = 0;
  let down = 0;
  for (const q of session) {
    let n = 0;
    for (const rec of before.get(q)!.res.nearest.slice(0, K)) {
      const v = taste.get(rec.artist ?? '') ?? 0;
      if (!v || n >= RATE_PER_QUERY) continue;
      rate(db, { query: { trackId: q }, trackId: rec.trackId, value: v > 0 ? 'up' : 'down', method: params.method, rank: rec.rank, session: 'replay' });
      if (v > 0) (liked.push(rec.trackId), up++);
      else (disliked.push({ q, id: rec.trackId }), down++);
      n++;
    }
  }
  const rated = new Set([...liked, ...disliked.map((d) => d.id)]);
  // neighbours of the rated tracks in the method's own space, unrated
  const neighbours = (ids: number[]) => {
    const out = new Set<number>();
    for (const id of ids) {
      const nb = recommend(db, { trackId: id }, params, { k: NEIGHBOURS + rated.size, least: 0, filters: { maxPopularity: 100, excludeSameArtist: false }, ratings: 'ignore' });
      for (const x of nb.nearest.filter((x) => !rated.has(x.trackId)).slice(0, NEIGHBOURS)) out.add(x.trackId);
    }
    return out;
  };
  const likedNb = neighbours(liked);
  const dislikedNb = neighbours(disliked.map((d) => d.id));
  for (const id of likedNb) if (dislikedNb.has(id)) (likedNb.delete(id), dislikedNb.delete(id));
  const rows: Row[] = [];
  for (const [set, qs] of [['session queries (rated)', session], ['held-out queries (not rated)', heldOut]] as const) {
    const pl: [number, number][] = [];
    const pd: [number, number][] = [];
    const ln: number[] = [];
    const dn: number[] = [];
    let shownAgain = 0;
    const orig: number[] = [];
    const msB: number[] = [];
    const msA: number[] = [];
    for (const q of qs) {
      const b = before.get(q)!;
      const a = run(q, 'use');
      msB.push(b.ms);
      msA.push(a.ms);
      const share = (res: RecommendResult, sign: number) => res.nearest.slice(0, K).filter((x) => taste.get(artistOf.get(x.trackId)!) === sign).length / K;
      pl.push([share(b.res, 1), share(a.res, 1)]);
      pd.push([share(b.res, -1), share(a.res, -1)]);
      const rankIn = (res: RecommendResult) => new Map(res.nearest.map((x) => [x.trackId, x.rank]));
      const rb = rankIn(b.res);
      const ra = rankIn(a.res);
      for (const [nb, acc] of [[likedNb, ln], [dislikedNb, dn]] as const) {
        for (const id of nb) if (rb.has(id) && ra.has(id) && id !== q) acc.push(rb.get(id)! - ra.get(id)!);
      }
      for (const x of a.res.nearest.slice(0, K)) orig.push(rb.get(x.trackId)!);
      const top = new Set(a.res.nearest.map((x) => x.trackId));
      shownAgain += disliked.filter((d) => d.q === q && top.has(d.id)).length;
    }
    rows.push({
      method: label,
      set,
      queries: qs.length,
      ratings: `${up} up, ${down} down`,
      pLikedBefore: mean(pl.map((x) => x[0])),
      pLikedAfter: mean(pl.map((x) => x[1])),
      pDislikedBefore: mean(pd.map((x) => x[0])),
      pDislikedAfter: mean(pd.map((x) => x[1])),
      likedNbMove: mean(ln),
      likedNbN: ln.length,
      dislikedNbMove: mean(dn),
      dislikedNbN: dn.length,
      shownAgain,
      origRank: median(orig),
      msBefore: median(msB),
      msAfter: median(msA),
    });
  }
  return rows;
}

const t0 = performance.now();
const db = openDb(':memory:');
buildSyntheticCatalogue(db, N, { seed: 7 });
await runSimilarity(db, { method: 'hybrid' }, { k: 50, workers: 1 });
const rows = [...replay(db, 'cosine', { method: 'cosine' }), ...replay(db, 'hybrid (stored lists, k 50)', { method: 'hybrid' })];
const secs = (performance.now() - t0) / 1000;

const f2 = (x: number) => (Number.isNaN(x) ? 'n/a' : x.toFixed(2));
const signed = (x: number) => (Number.isNaN(x) ? 'n/a' : `${x >= 0 ? '+' : ''}${x.toFixed(1)}`);
const md = [
  '## Ratings re-rank a replayed session',
  '',
  `Machine: ${machineLine()}. Date: ${today()}.`,
  '',
  `\`node dist/benchmarks/pipeline/rerank-session.js ${N} ${SESSION} ${HELD_OUT}\`: the synthetic catalogue (${N} tracks, about 8 per artist, each artist a timbre of its own; benchmarks/pipeline/synthetic-catalogue.ts, seed 7). A simulated listener likes about a quarter of the artists and dislikes another quarter; for each of ${SESSION} session queries it looks at the top ${K} (the query's own artist left out, as recommend does) and rates up to ${RATE_PER_QUERY} shown tracks by artists it likes (up) or dislikes (down). Then the same queries and ${HELD_OUT} held-out queries (never rated) are run again with the ratings. Rule (src/pipeline/rerank.ts): standardised score + ${RERANK_WEIGHT} x sum over rated tracks of value x (${THIS_QUERY} this query, ${OTHER_QUERY} another) x max(0, z of closeness to the rated track); a track rated down is not shown again for its query. Rank change: positive = moved up (ranks over the whole filtered catalogue); neighbours: the ${NEIGHBOURS} nearest unrated tracks of each rated track in the method's space, n = (query, neighbour) pairs. The median rank before of the top 10 after shows how far from the query's own neighbourhood the ratings reach (5.5 = no change).`,
  '',
  '| method | queries | ratings | P@10 liked artists | P@10 disliked artists | liked-neighbours rank change (n) | disliked-neighbours rank change (n) | rated down, shown again | top 10 after: median rank before | ms per query, without / with ratings |',
  '|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.method} | ${r.set}: ${r.queries} | ${r.ratings} | ${f2(r.pLikedBefore)} -> ${f2(r.pLikedAfter)} | ${f2(r.pDislikedBefore)} -> ${f2(r.pDislikedAfter)} | ${signed(r.likedNbMove)} (${r.likedNbN}) | ${signed(r.dislikedNbMove)} (${r.dislikedNbN}) | ${r.shownAgain} | ${r.origRank} | ${r.msBefore.toFixed(0)} / ${r.msAfter.toFixed(0)} |`,
  ),
  '',
  `Whole run ${secs.toFixed(0)} s (building the catalogue and the hybrid lists included).`,
  '',
].join('\n');
process.stdout.write(md);
const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../benchmarks/pipeline/rerank-session.md');
writeFileSync(out, md);
