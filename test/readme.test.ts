/**
 * README.md keeps its promises: the two commands for a fresh machine, and a Dependencies section
 * that names every dependency in package.json and every package the original design named that
 * yasr does not use, each with its reason.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; optionalDependencies?: Record<string, string> };

/** The text of a `## Title` section, up to the next `## `. */
function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start, `README has a "## ${title}" section`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 4);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe('README.md', () => {
  it('holds the two commands for a fresh machine', () => {
    const s = section('Two commands for a fresh machine');
    expect(s).toContain('npm ci && npm run demo');
    expect(s).toContain('npm ci && npm test');
  });

  it('Dependencies: every runtime, optional and development dependency, with what it is for', () => {
    const s = section('Dependencies');
    for (const name of [...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})]) expect(s, name).toMatch(new RegExp(`\\*\\*${name.replace(/[/.@-]/g, (c) => `\\${c}`)}\\*\\*[^\\n]*:`));
    for (const name of Object.keys(pkg.devDependencies).filter((n) => !n.startsWith('@types/'))) expect(s, name).toContain(`**${name}**`);
  });

  it('Dependencies: each package of the original design that yasr does not use, with the fact or measurement behind it', () => {
    const s = section('Dependencies');
    const unused = s.slice(s.indexOf('not used'));
    for (const name of ['fft.js', 'meyda', 'wav-decoder', 'fluent-ffmpeg', 'ffmpeg-static', '@tensorflow/tfjs-node-gpu']) {
      const line = unused.split('\n- ').find((l) => l.startsWith(`**${name}**`));
      expect(line, name).toBeDefined();
      // a version and a reason of more than a few words
      expect(line!, name).toMatch(/\*\* \d+\.\d+\.\d+: /);
      expect(line!.length, name).toBeGreaterThan(80);
    }
    expect(unused).toMatch(/fft\.js[^]*\d+ ms/); // the FFT comparison is a measurement
  });
});

describe("README's benchmark highlights are benchmarks/RESULTS.md's figures", () => {
  const results = readFileSync(path.join(ROOT, 'benchmarks', 'RESULTS.md'), 'utf8');
  const bench = (name: string): string => {
    const m = new RegExp(`<!-- bench:${name} -->([\\s\\S]*?)<!-- /bench:${name} -->`).exec(results);
    expect(m, `RESULTS.md has a ${name} section`).not.toBeNull();
    return m![1];
  };
  const highlights = section('Benchmarks');
  const row = (start: string) => {
    const r = highlights.split('\n').find((l) => l.startsWith(`| ${start}`));
    expect(r, `README row "${start}"`).toBeDefined();
    return r!;
  };
  /** The median CPU ms per pair of a kernel row: "| kernel | frames | min / median | ...". */
  const median = (kernel: string) => {
    const r = bench('similarity-pairs').split('\n').find((l) => l.startsWith(`| ${kernel} | 1292 |`));
    expect(r, kernel).toBeDefined();
    return Number(r!.split('|')[3].split('/')[1]);
  };

  it('per-pair DTW and FastDTW figures are the medians, not the minimums', () => {
    expect(row('exact DTW, unconstrained')).toContain(`| ${median('dtw exact unconstrained').toFixed(1)} ms per pair |`);
    expect(row('FastDTW radius 1 / radius 10')).toContain(`| ${median('fastdtw r1').toFixed(2)} / ${median('fastdtw r10').toFixed(2)} ms per pair |`);
    expect(highlights).toMatch(/\(median\)/);
  });

  it('album precision is shown with and without the artist filter, as measured', () => {
    const corpus = bench('corpus');
    const p = (method: string) => corpus.split('\n').find((l) => l.startsWith(`| ${method} | 0.`))!.split('|').slice(2, 4).map((x) => x.trim());
    const r = row('precision@10 by album');
    for (const m of ['hybrid', 'timbre', 'fastdtw']) expect(r).toContain(`${m} ${p(m)[0]} / ${p(m)[1]}`);
    expect(r).toContain(`random ${p('random')[0]} / ${p('random')[1]}`);
  });

  it('every section of RESULTS.md names the commit it measured', () => {
    const runs = results.split('\n').filter((l) => l.startsWith('_Run '));
    expect(runs.length).toBeGreaterThan(10);
    for (const l of runs) expect(l, l.slice(0, 60)).toMatch(/, commit [0-9a-f]{7,}[;,]/);
  });
});
