#!/usr/bin/env node
import { statSync } from 'node:fs';

// The bundled CLI (scripts/bundle-cli.ts: a few files instead of about eighty modules) when
// `npm run build` made it after the modules were last compiled; else the modules themselves.
const bundle = new URL('../cli/main.js', import.meta.url);
const modules = new URL('../src/cli/main.js', import.meta.url);
const mtime = (u: URL) => statSync(u, { throwIfNoEntry: false })?.mtimeMs;
const b = mtime(bundle);
const m = mtime(modules);
const entry = b !== undefined && (m === undefined || b >= m) ? bundle : modules;
const { main } = (await import(entry.href)) as typeof import('../src/cli/main.js');

await main();
