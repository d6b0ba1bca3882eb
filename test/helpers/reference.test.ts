/**
 * Without ../shared/reference the librosa reference suites do not vanish: each says, in one
 * visible line, that it was skipped and why (checked by running them with the data "absent").
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cli.js';

describe('reference suites without the reference data', () => {
  it('print one line per suite saying it was skipped and why, and pass', () => {
    const files = ['test/dsp/reference.test.ts', 'test/similarity/dtw-reference.test.ts', 'test/pipeline/fidelity.test.ts', 'test/descriptors/key.test.ts'];
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...files], {
      cwd: ROOT,
      env: { ...process.env, YASR_REFERENCE_DIR: '/nonexistent/reference', CI: '1', FORCE_COLOR: '0', NO_COLOR: '1' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    expect(r.status, out).toBe(0);
    for (const title of ['librosa reference features', 'DTW and FastDTW against the Python reference (manifest dtw_pairs)', 'pipeline fidelity against librosa (../shared/reference)', 'reference clips c_major.wav and a_minor.wav']) {
      expect(out).toContain(`[yasr tests] skipped "${title}": ../shared/reference is absent (looked for /nonexistent/reference/expected/manifest.json)`);
    }
    expect(out).not.toContain('compared');
  }, 150_000);
});
