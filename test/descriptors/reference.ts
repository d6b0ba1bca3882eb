import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared/reference relative to the repo root (read-only reference data; tests skip without it). */
export const REFERENCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..', 'shared/reference');
export const HAVE_REFERENCE = existsSync(path.join(REFERENCE, 'synthetic_truth.json'));
export const SKIP_MESSAGE = `reference data not found at ${REFERENCE}: skipping reference-clip tests`;
export const clipPath = (name: string) => path.join(REFERENCE, 'clips', `${name}.wav`);
