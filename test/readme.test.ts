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
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

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

  it('Dependencies: every runtime and development dependency, with what it is for', () => {
    const s = section('Dependencies');
    for (const name of Object.keys(pkg.dependencies)) expect(s, name).toMatch(new RegExp(`\\*\\*${name.replace(/[/.@-]/g, (c) => `\\${c}`)}\\*\\*[^\\n]*:`));
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
