import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { YasrError } from '../errors.js';

/** A NumPy array read from or written to `.npy`: row-major data with its shape. */
export interface NpyArray {
  shape: number[];
  data: Float32Array | Float64Array;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);

/** Parse a `.npy` buffer holding little-endian float32 or float64, C order. */
export function parseNpy(buf: Buffer, name = '<buffer>'): NpyArray {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(MAGIC)) {
    throw new YasrError('BAD_INPUT', `${name}: not a .npy file (bad magic)`);
  }
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = buf.subarray(headerStart, headerStart + headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1] === 'True';
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) {
    throw new YasrError('BAD_INPUT', `${name}: unreadable .npy header ${JSON.stringify(header)}`);
  }
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const off = headerStart + headerLen;
  const body = buf.subarray(off);
  if (descr === '<f4' || descr === '<f8') {
    const copy = descr === '<f4' ? new Float32Array(count) : new Float64Array(count);
    if (body.length < copy.byteLength) throw new YasrError('BAD_INPUT', `${name}: data shorter than its shape ${JSON.stringify(shape)}`);
    new Uint8Array(copy.buffer).set(body.subarray(0, copy.byteLength));
    return { shape, data: fortran ? toRowMajor(copy, shape) : copy };
  }
  throw new YasrError('BAD_INPUT', `${name}: unsupported dtype ${JSON.stringify(descr)}`);
}

/** Column-major (Fortran order) data of any rank, reordered row-major. */
function toRowMajor<T extends Float32Array | Float64Array>(src: T, shape: number[]): T {
  if (shape.length < 2) return src;
  const out = new (src.constructor as { new (n: number): T })(src.length);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  for (let f = 0; f < src.length; f++) {
    // f walks the column-major order: the first index varies fastest
    let r = 0;
    for (let d = 0; d < rank; d++) r = r * shape[d] + idx[d];
    out[r] = src[f];
    for (let d = 0; d < rank; d++) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

export function readNpy(path: string): NpyArray {
  return parseNpy(readFileSync(path), path);
}

/** Encode float32 data of the given shape as a version 1.0 `.npy` buffer. */
export function encodeNpy(data: Float32Array, shape: number[]): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const pre = Buffer.alloc(10);
  MAGIC.copy(pre, 0);
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/** Write atomically (temporary file, then rename). */
export function writeNpy(path: string, data: Float32Array, shape: number[]): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, encodeNpy(data, shape));
  renameSync(tmp, path);
}
