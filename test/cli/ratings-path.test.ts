import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir, yasr, yasrJson } from '../helpers/cli.js';
import { vectorCatalogue } from '../helpers/vector-catalogue.js';

let db: string;
let dir: string;
beforeAll(() => {
  dir = tempDir();
  db = path.join(dir, 'yasr.db');
  const rows = [
    { artist: 'Query', title: 'Q', v: [1, 0, 0] }, // 1
    { artist: 'Liked, "Band"', title: 'L1', v: [0.8, 0.6, 0] }, // 2
    { artist: 'Liked, "Band"', title: 'L2', v: [0.7, 0.71, 0.05] }, // 3
    { artist: 'Disliked', title: 'D1', v: [0.78, -0.62, 0] }, // 4
    { artist: 'Disliked', title: 'D2', v: [0.72, -0.69, 0.05] }, // 5
    { artist: 'Far', title: 'F', v: [0, 0, 1], audioUrl: 'https://cdn.example/f.mp3' }, // 6
  ];
  vectorCatalogue(rows, db).close();
});

const rec = ['recommend', '1', '--method', 'cosine', '--standardize', 'none', '--windows', 'none', '-k', '5', '--max-popularity', '100'];

describe('yasr rate, ratings, recommend --no-ratings, path', () => {
  it('rates, re-ranks, exports', () => {
    const before = yasrJson(db, rec);
    expect(before.nearest.map((r: { trackId: number }) => r.trackId)).toEqual([2, 4, 5, 3, 6]);
    const up = yasr(db, ['rate', '1', '2', 'up', '--method', 'cosine', '--rank', '1', '--session', 's1']);
    expect(up.status).toBe(0);
    expect(up.stdout).toMatch(/up .*#2 Liked, "Band" - L1 .*for #1 Query - Q\s+\(cosine, rank 1, session s1\)/);
    expect(yasrJson(db, ['rate', 'Query - Q', 'Disliked - D1', 'down', '--method', 'cosine', '--rank', '2']).value).toBe(-1);
    const after = yasrJson(db, rec);
    expect(after.nearest.map((r: { trackId: number }) => r.trackId)).toEqual([2, 3, 5, 6]);
    expect(after.ratings).toEqual({ rated: 2, hidden: 1 });
    expect(yasrJson(db, [...rec, '--no-ratings'])).toEqual(before);
    expect(yasr(db, rec).stdout).toMatch(/re-ranked by 2 rated tracks \(1 rated down, hidden\)/);
    const csv = yasr(db, ['ratings', '--csv']);
    expect(csv.status).toBe(0);
    const lines = csv.stdout.split('\r\n');
    expect(lines[0]).toBe('rated_at,session,query_track_id,query_sha256,query_artist,query_title,track_id,artist,title,method,rank,value');
    expect(lines[1]).toMatch(/,s1,1,[0-9a-f]{64},Query,Q,2,"Liked, ""Band""",L1,cosine,1,1$/);
    expect(lines[2]).toMatch(/,,1,[0-9a-f]{64},Query,Q,4,Disliked,D1,cosine,2,-1$/);
    expect(yasrJson(db, ['ratings', '--session', 's1'])).toHaveLength(1);
    expect(yasr(db, ['ratings']).stdout.trim().split('\n')).toHaveLength(2);
  });

  it('quotes bad values with exit status 2, unknown tracks 3', () => {
    const bad = yasr(db, ['rate', '1', '2', 'sideways']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('invalid value: "sideways"');
    expect(yasr(db, ['rate', '1', '2', 'up', '--rank', '0']).stderr).toContain('invalid --rank: "0"');
    expect(yasr(db, ['rate', '1', 'Nobody - Nothing', 'up']).status).toBe(3);
    expect(yasr(db, ['ratings', '--csv', '--json']).status).toBe(2);
    expect(yasr(db, ['path', '1', '6', '--steps', '0']).stderr).toContain('invalid --steps: "0"');
  });

  it('path: JSON and an M3U playlist', () => {
    const m3uFile = path.join(dir, 'p.m3u');
    const r = yasrJson(db, ['path', '1', '6', '--steps', '3', '--standardize', 'none', '--windows', 'none', '--m3u', m3uFile, '--urls']);
    expect(r.steps).toHaveLength(4);
    expect(r.steps[0].trackId).toBe(1);
    expect(r.steps[3].trackId).toBe(6);
    const m3u = readFileSync(m3uFile, 'utf8').split('\n');
    expect(m3u[0]).toBe('#EXTM3U');
    expect(m3u).toContain('https://cdn.example/f.mp3');
    expect(yasr(db, ['path', '1', '6', '--steps', '2', '--windows', 'none']).stdout).toMatch(/^Path by cosine in 2 steps:\n  0\. #1 Query - Q\n/);
  });

  it('--help has examples', () => {
    for (const c of ['rate', 'ratings', 'path']) expect(yasr(db, [c, '--help']).stdout).toContain('Examples:');
    expect(yasr(db, ['recommend', '--help']).stdout).toContain('--no-ratings');
  });
});
