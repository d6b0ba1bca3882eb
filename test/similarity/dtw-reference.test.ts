import { expect, it } from 'vitest';
import { dtw } from '../../src/similarity/dtw.js';
import { fastdtw } from '../../src/similarity/fastdtw.js';
import { HAVE_REFERENCE, loadManifest, loadMfcc } from './reference-data.js';
import { Tally, referenceSuite } from '../helpers/reference.js';

referenceSuite('DTW and FastDTW against the Python reference (manifest dtw_pairs)', () => {
  const manifest = HAVE_REFERENCE ? loadManifest() : { dtw_pairs: [] };
  const pairs = manifest.dtw_pairs;
  const tally = new Tally('DTW and FastDTW against the Python reference');

  it('has pairs to check', () => {
    expect(pairs.length).toBeGreaterThan(0);
  });

  for (const p of pairs) {
    it(`${p.a} vs ${p.b}`, () => {
      const a = loadMfcc(p.a).frames;
      const b = loadMfcc(p.b).frames;
      // exact DTW: float64 accumulation of the same float32 inputs; only summation order and
      // sqrt rounding differ from the reference, far below 1e-9 relative. The brief asks 1e-5.
      expect(Math.abs(dtw(a, b, 20) - p.dtw_exact) / p.dtw_exact).toBeLessThan(1e-5);
      expect(Math.abs(dtw(b, a, 20) - p.dtw_exact) / p.dtw_exact).toBeLessThan(1e-5);
      // FastDTW: same algorithm and tie-breaking as the package's C extension; the only
      // difference is sqrt vs pow(sm, 0.5) (at most 1 ulp per cell): 1e-6 relative.
      const r1 = fastdtw(a, b, 20, { radius: 1 });
      const r10 = fastdtw(a, b, 20, { radius: 10 });
      expect(Math.abs(r1 - p.fastdtw_r1) / p.fastdtw_r1).toBeLessThan(1e-6);
      expect(Math.abs(r10 - p.fastdtw_r10) / p.fastdtw_r10).toBeLessThan(1e-6);
      const id = `${p.a}~${p.b}`;
      tally.add(p.a, 'dtw_exact', Math.abs(dtw(a, b, 20) - p.dtw_exact) / p.dtw_exact, `${id}.exact`);
      tally.add(p.a, 'fastdtw_r1', Math.abs(r1 - p.fastdtw_r1) / p.fastdtw_r1, `${id}.r1`);
      tally.add(p.a, 'fastdtw_r10', Math.abs(r10 - p.fastdtw_r10) / p.fastdtw_r10, `${id}.r10`);
      tally.clip(p.b);
    });
  }

  it('compared every pair of the manifest three ways', () => {
    expect(tally.count).toBe(3 * pairs.length);
    console.log(`${tally.line('distances')} (relative)`);
  });
});
