/**
 * Test helper: read a reference .npy that may be stored in Fortran order (the reference chroma
 * and stft_mag files are), returning row-major data. src/interop/npy.ts refuses Fortran order.
 */
import { readFileSync } from 'node:fs';
import { parseNpy, type NpyArray } from '../../src/interop/npy.js';

export function readNpyAnyOrder(file: string): NpyArray {
  const buf = Buffer.from(readFileSync(file));
  const headerLen = buf[6] === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const headerStart = buf[6] === 1 ? 10 : 12;
  const header = buf.subarray(headerStart, headerStart + headerLen).toString('latin1');
  const m = /'fortran_order':\s*True/.exec(header);
  if (!m) return parseNpy(buf, file);
  // Same-length edit: 'True' -> 'False' would change the length, so rewrite the header padded.
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)![1];
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const patched = header.replace(/'fortran_order':\s*True/, "'fortran_order': False").replace(/'shape':\s*\([^)]*\)/, `'shape': (${[...shape].reverse().join(', ')},)`);
  const padded = patched.trimEnd().padEnd(headerLen - 1, ' ') + '\n';
  if (padded.length !== headerLen) throw new Error(`${file}: cannot rewrite header`);
  buf.write(padded, headerStart, 'latin1');
  const t = parseNpy(buf, file); // the transposed array in C order, shape reversed
  if (shape.length !== 2) return { shape, data: t.data };
  const [rows, cols] = shape;
  const out = new (t.data.constructor as Float32ArrayConstructor)(rows * cols);
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) out[r * cols + c] = t.data[c * rows + r];
  return { shape, data: out };
}
