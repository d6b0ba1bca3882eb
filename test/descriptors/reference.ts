import path from 'node:path';

/** ../shared/reference relative to the repo root (read-only reference data; tests skip without it). */
export { REFERENCE, HAVE_REFERENCE, referenceSuite } from '../helpers/reference.js';
import { REFERENCE } from '../helpers/reference.js';
export const clipPath = (name: string) => path.join(REFERENCE, 'clips', `${name}.wav`);
