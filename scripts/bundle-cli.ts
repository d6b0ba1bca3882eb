/**
 * `npm run build`'s last step: the compiled CLI (dist/src/cli/main.js and every module it imports,
 * statically or when a command runs) bundled into a few files under dist/cli/, one per command's
 * share of the code, so that a command's start reads and links a handful of files instead of about
 * eighty modules (benchmarks/RESULTS.md, "Recommend latency"). dist/bin/yasr.js loads the bundle
 * when it is at least as new as dist/src/cli/main.js, else the modules themselves.
 *
 * What stays outside: packages under node_modules (loaded by Node as before) and worker threads
 * (each starts from its own compiled module beside the code that starts it). Every module's
 * `import.meta.url` is rewritten to the URL of its compiled file (relative to the bundle, so the
 * folder can move), which is what workerFile, createRequire and the package-root lookups expect.
 *
 * Run: node dist/scripts/bundle-cli.js (after tsc).
 */
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
const OUT = path.join(ROOT, 'dist', 'cli');

/** `import.meta.url` of a bundled module, as the URL of its own compiled file relative to the bundle. */
export function moduleUrlExpression(file: string, outDir: string): string {
  const rel = path.relative(outDir, file).split(path.sep).join('/');
  return `new URL(${JSON.stringify(rel)}, import.meta.url).href`;
}

export async function bundleCli(entry = ENTRY, outDir = OUT): Promise<{ files: number; ms: number }> {
  const t0 = performance.now();
  statSync(entry); // a clear ENOENT when tsc has not run
  rmSync(outDir, { recursive: true, force: true });
  const bundle = await rolldown({
    input: { main: entry },
    // module comments name dist/src/... paths (test/cli/lazy-commands.test.ts reads them)
    cwd: ROOT,
    platform: 'node',
    // packages stay packages (native addons, their own files); Node's modules too
    external: (id) => id.startsWith('node:') || !(id.startsWith('.') || path.isAbsolute(id)),
    plugins: [
      {
        name: 'module-urls',
        transform(code, id) {
          if (!code.includes('import.meta.url')) return null;
          return { code: code.replaceAll('import.meta.url', moduleUrlExpression(id, outDir)), map: null };
        },
      },
    ],
  });
  const out = await bundle.write({ dir: outDir, format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' });
  await bundle.close();
  return { files: out.output.length, ms: performance.now() - t0 };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await bundleCli();
  process.stdout.write(`bundled the CLI into ${r.files} files under ${path.relative(ROOT, OUT)}/ in ${(r.ms / 1000).toFixed(1)} s\n`);
}
