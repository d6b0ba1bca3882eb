import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeFfmpeg, findFfmpeg } from '../../src/audio/ffmpeg.js';

let dir: string;
let fake: string;
let marker: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'yasr-ffmpeg-'));
  marker = path.join(dir, 'ran');
  // an "ffmpeg" that records each time it is run and prints a version banner
  fake = path.join(dir, 'ffmpeg');
  writeFileSync(fake, `#!/bin/sh\necho "$@" >> '${marker}'\necho "ffmpeg version 9.9-test Copyright (c) 2000-2031 the FFmpeg developers"\n`);
  chmodSync(fake, 0o755);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('findFfmpeg', () => {
  it('finds the given ffmpeg without running it; its version is asked for when first read, once', () => {
    const tools = findFfmpeg(fake);
    expect(tools.ffmpeg).toBe(fake);
    expect(tools.origin).toBe('option');
    expect(tools.ffprobe).toBeNull(); // no ffprobe beside it
    expect(existsSync(marker)).toBe(false);
    expect(tools.version).toBe('9.9-test (2031)');
    expect(describeFfmpeg(tools)).toBe(`ffmpeg 9.9-test (2031) at ${fake} (--ffmpeg)`);
    expect(tools.version).toBe('9.9-test (2031)');
    expect(readFileSync(marker, 'utf8').trim().split('\n')).toEqual(['-version']);
  });

  it('takes an executable ffprobe beside it, and refuses a given path that is missing or not executable', () => {
    const sub = mkdtempSync(path.join(dir, 'pair-'));
    const ff = path.join(sub, 'ffmpeg');
    writeFileSync(ff, '#!/bin/sh\nexit 0\n');
    chmodSync(ff, 0o755);
    const probe = path.join(sub, 'ffprobe');
    writeFileSync(probe, '#!/bin/sh\nexit 0\n');
    chmodSync(probe, 0o644);
    expect(findFfmpeg(ff).ffprobe).toBeNull(); // not executable: not taken
    chmodSync(probe, 0o755);
    expect(findFfmpeg(`${sub}/./ffmpeg`).ffprobe).toBe(path.join(sub, 'ffprobe'));
    expect(() => findFfmpeg(path.join(dir, 'no-such-ffmpeg'))).toThrow(/--ffmpeg \(".*no-such-ffmpeg"\) does not run; install ffmpeg/);
    const plain = path.join(dir, 'not-executable');
    writeFileSync(plain, 'x');
    expect(() => findFfmpeg(plain)).toThrow(/does not run/);
    expect(() => findFfmpeg(dir)).toThrow(/does not run/); // a folder
  });

  it('an ffmpeg whose version cannot be read says "unknown"', () => {
    const mute = path.join(dir, 'mute-ffmpeg');
    writeFileSync(mute, '#!/bin/sh\nexit 3\n');
    chmodSync(mute, 0o755);
    expect(findFfmpeg(mute).version).toBe('unknown');
  });
});
