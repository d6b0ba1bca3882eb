/**
 * A small SVG document builder: elements are appended in drawing order, attribute values and
 * text are always escaped, numbers are written with at most two decimals.
 */

import { escapeMarkup } from '../util/escape.js';

/** Escape text or an attribute value for XML (&, <, >, " and '). */
export const escapeXml = escapeMarkup;

/** Characters XML 1.0 forbids even when escaped (control characters) are dropped. */
function xmlText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return escapeXml(s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));
}

export type Attrs = Record<string, string | number | undefined | null | false>;

export function num(v: number): string {
  if (!Number.isFinite(v)) return '0';
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

function attrs(a: Attrs): string {
  let s = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || v === null || v === false) continue;
    s += ` ${k}="${typeof v === 'number' ? num(v) : xmlText(v)}"`;
  }
  return s;
}

export class SvgBuilder {
  private readonly parts: string[] = [];
  private depth = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly rootAttrs: Attrs = {},
  ) {}

  /** An empty element: <name a="..."/>. */
  el(name: string, a: Attrs = {}): this {
    this.parts.push(`<${name}${attrs(a)}/>`);
    return this;
  }

  /** An element holding escaped text: <name a="...">text</name>. */
  textEl(name: string, a: Attrs, text: string): this {
    this.parts.push(`<${name}${attrs(a)}>${xmlText(text)}</${name}>`);
    return this;
  }

  open(name: string, a: Attrs = {}): this {
    this.parts.push(`<${name}${attrs(a)}>`);
    this.depth++;
    return this;
  }

  close(name: string): this {
    this.parts.push(`</${name}>`);
    this.depth--;
    return this;
  }

  /** A group: <g a="..."> children </g>. */
  group(a: Attrs, children: (svg: this) => void): this {
    this.open('g', a);
    children(this);
    return this.close('g');
  }

  rect(x: number, y: number, width: number, height: number, a: Attrs = {}): this {
    return this.el('rect', { x, y, width, height, ...a });
  }

  line(x1: number, y1: number, x2: number, y2: number, a: Attrs = {}): this {
    return this.el('line', { x1, y1, x2, y2, ...a });
  }

  path(d: string, a: Attrs = {}): this {
    return this.el('path', { d, ...a });
  }

  text(x: number, y: number, text: string, a: Attrs = {}): this {
    return this.textEl('text', { x, y, ...a }, text);
  }

  /** A rect with a tooltip (<title>), for cells a viewer can point at. */
  rectWithTitle(x: number, y: number, width: number, height: number, a: Attrs, title: string): this {
    this.parts.push(`<rect${attrs({ x, y, width, height, ...a })}><title>${xmlText(title)}</title></rect>`);
    return this;
  }

  /** A raster image embedded as a PNG data URI, drawn pixel for pixel (no smoothing). */
  pngImage(x: number, y: number, width: number, height: number, png: Buffer): this {
    return this.el('image', {
      x, y, width, height,
      preserveAspectRatio: 'none',
      style: 'image-rendering:pixelated',
      href: `data:image/png;base64,${png.toString('base64')}`,
    });
  }

  toString(): string {
    if (this.depth !== 0) throw new Error(`svg builder: ${this.depth} element(s) left open`);
    const root = attrs({
      xmlns: 'http://www.w3.org/2000/svg',
      width: this.width,
      height: this.height,
      viewBox: `0 0 ${num(this.width)} ${num(this.height)}`,
      ...this.rootAttrs,
    });
    return `<?xml version="1.0" encoding="UTF-8"?>\n<svg${root}>\n${this.parts.join('\n')}\n</svg>\n`;
  }
}
