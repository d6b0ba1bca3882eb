/**
 * A real browser for page tests: Debian's chromium driven by puppeteer-core (which never
 * downloads a browser). CI installs chromium (.ci/run); elsewhere a missing browser skips.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p)) ?? null;
/** In CI a missing browser is an error, not a skip. */
export const HAVE_BROWSER = CHROMIUM !== null || !!process.env.CI;

export async function launchBrowser(extraArgs: string[] = []) {
  const puppeteer = (await import('puppeteer-core')).default;
  if (!CHROMIUM) throw new Error('chromium not found: apt-get install -y chromium');
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--allow-file-access-from-files', ...extraArgs],
  });
}
