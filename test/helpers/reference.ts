/**
 * The shared librosa reference data (../shared/reference, read-only; see its README.md) as the
 * test suites use it. When it is absent, each reference suite is one skipped test whose title
 * says why, and one line on stderr says so too: nothing vanishes silently. When it is present,
 * the suites count what they compare and print it (arrays, clips, worst error), and check that
 * every array the README promises was compared.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

/** ../shared/reference from the repository root ($YASR_REFERENCE_DIR elsewhere: the skip path is tested that way). */
export const REFERENCE = process.env.YASR_REFERENCE_DIR
  ? path.resolve(process.env.YASR_REFERENCE_DIR)
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..', 'shared/reference');
export const HAVE_REFERENCE = existsSync(path.join(REFERENCE, 'expected', 'manifest.json'));
export const ABSENT = `../shared/reference is absent (looked for ${path.join(REFERENCE, 'expected', 'manifest.json')})`;

function announce(title: string): void {
  process.stderr.write(`[yasr tests] skipped "${title}": ${ABSENT}\n`);
}

/** describe(title, fn) with the reference present; else one skipped test saying why. */
export function referenceSuite(title: string, fn: () => void): void {
  if (HAVE_REFERENCE) describe(title, fn);
  else {
    announce(title);
    describe(title, () => it.skip(`skipped: ${ABSENT}`, () => {}));
  }
}

/** it(title, fn) with the reference present; else skipped with the reason in its title. */
export function referenceIt(title: string, fn: () => unknown, timeout?: number): void {
  if (HAVE_REFERENCE) it(title, fn as () => void, timeout);
  else {
    announce(title);
    it.skip(`${title} (skipped: ${ABSENT})`, () => {});
  }
}

/** Features every clip has in expected/ (README: "NAME.FEATURE.npy"). */
export const CLIP_FEATURES = ['mel_db', 'mfcc', 'chroma', 'rms', 'centroid', 'zcr'] as const;
/** Clips that also have stft_mag (README: "for chirp and real_stk only"). */
export const STFT_CLIPS = ['chirp', 'real_stk'] as const;

/** Every (clip, feature) array the README promises for these clips. */
export function expectedArrays(clips: readonly string[]): { clip: string; feature: string; file: string }[] {
  const out: { clip: string; feature: string; file: string }[] = [];
  for (const clip of clips) {
    const feats: string[] = [...CLIP_FEATURES, ...((STFT_CLIPS as readonly string[]).includes(clip) ? ['stft_mag'] : [])];
    for (const feature of feats) out.push({ clip, feature, file: path.join(REFERENCE, 'expected', `${clip}.${feature}.npy`) });
  }
  return out;
}

/** The .npy files actually in expected/ (a count check: none left uncompared). */
export function npyFilesPresent(): string[] {
  return readdirSync(path.join(REFERENCE, 'expected')).filter((f) => f.endsWith('.npy')).sort();
}

/** Tallies what a suite compared; `line()` is what it prints (the worst error per kind of array). */
export class Tally {
  private readonly seen = new Set<string>();
  private readonly clips = new Set<string>();
  private readonly worst = new Map<string, { err: number; clip: string }>();
  constructor(private readonly label: string) {}

  /** `what`: the array's kind (mfcc, mel_db, a pair's distance, ...); `err` in that kind's unit. */
  add(clip: string, what: string, err: number, id = `${clip}.${what}`): void {
    this.seen.add(id);
    this.clips.add(clip);
    const w = this.worst.get(what);
    if (!w || err > w.err) this.worst.set(what, { err, clip });
  }

  /** Count a clip as compared without an array of its own (the second clip of a pair). */
  clip(name: string): void {
    this.clips.add(name);
  }

  get count(): number {
    return this.seen.size;
  }

  line(unit = 'arrays'): string {
    const worst = [...this.worst].map(([what, w]) => `${what} ${w.err.toExponential(2)} (${w.clip})`).join(', ');
    return `[yasr tests] ${this.label}: compared ${this.seen.size} ${unit} on ${this.clips.size} clips; worst error: ${worst || 'none'}`;
  }
}
