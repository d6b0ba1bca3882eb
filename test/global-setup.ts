/**
 * One temporary folder for the whole test run: TMPDIR points into it, so every temporary file
 * and folder the tests make (theirs, and those of the yasr processes and ffmpeg they start) is
 * inside it, and it is removed, whatever is left in it, when the run ends.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(path.join(os.tmpdir(), 'yasr-test-run-'));
  // as /tmp: others may enter it (the throwaway PostgreSQL server runs as its own user)
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
