/**
 * A tiny PNG decoder for the tests: 8-bit RGB or RGBA, non-interlaced (what resvg and yasr's
 * encoder write); all five scanline filters. Returns RGBA pixels.
 */
import { inflateSync } from 'node:zlib';

export interface Png {
  width: number;
  height: number;
  /** RGBA, row-major from the top. */
  rgba: Uint8Array;
}

export function decodePng(buf: Buffer): Png {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!sig.every((b, i) => buf[i] === b)) throw new Error('not a PNG');
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colour, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6)) throw new Error(`unsupported PNG: depth ${depth}, colour ${colour}, interlace ${interlace}`);
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const px = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const o = y * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? px[o + i - channels] : 0;
      const b = y > 0 ? px[o - stride + i] : 0;
      const c = y > 0 && i >= channels ? px[o - stride + i - channels] : 0;
      let v = line[i];
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (f !== 0) throw new Error(`bad filter ${f}`);
      px[o + i] = v & 255;
    }
  }
  if (channels === 4) return { width, height, rgba: px };
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba[4 * i] = px[3 * i];
    rgba[4 * i + 1] = px[3 * i + 1];
    rgba[4 * i + 2] = px[3 * i + 2];
    rgba[4 * i + 3] = 255;
  }
  return { width, height, rgba };
}

export function pixel(p: Png, x: number, y: number): [number, number, number] {
  const i = 4 * (Math.round(y) * p.width + Math.round(x));
  return [p.rgba[i], p.rgba[i + 1], p.rgba[i + 2]];
}

/** The colour map position (0..255) of a pixel: the nearest LUT colour. */
export function lutPosition(lut: Uint8Array, c: [number, number, number]): number {
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < 256; i++) {
    const d = (lut[3 * i] - c[0]) ** 2 + (lut[3 * i + 1] - c[1]) ** 2 + (lut[3 * i + 2] - c[2]) ** 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/**
 * A well-formedness check for the XML yasr writes: one root, every start tag closed in order,
 * attribute values quoted, no raw '<' or stray '&' in text or attribute values.
 */
export function checkWellFormedXml(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  const re = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(body))) {
    if (m.index !== end) throw new Error(`unparsed XML at ${end}: ${body.slice(end, end + 40)}`);
    end = re.lastIndex;
    if (m[6]) throw new Error(`malformed tag at ${m.index}: ${body.slice(m.index, m.index + 60)}`);
    const text = m[5] ?? m[3] ?? '';
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(text)) throw new Error(`unescaped & near ${text.slice(0, 60)}`);
    if (m[5] !== undefined) {
      if (stack.length === 0 && m[5].trim()) throw new Error('text outside the root element');
      continue;
    }
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else {
      if (stack.length === 0) roots++;
      if (!selfClosing) stack.push(name);
    }
  }
  if (end !== body.length) throw new Error(`unparsed XML at ${end}`);
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
}
