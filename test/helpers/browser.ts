// A Chromium for the HTML report tests, found, never downloaded: CHROMIUM_PATH,
// then chromium, chromium-browser, google-chrome on PATH. Without one the
// tests skip and say why.

import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';

export type Found = { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string };

const NAMES = ['chromium', 'chromium-browser', 'google-chrome'];

function executable(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findBrowser(env: NodeJS.ProcessEnv = process.env): Found {
  const explicit = env['CHROMIUM_PATH'];
  if (explicit !== undefined && explicit !== '') {
    return executable(explicit) ? { ok: true, path: explicit } : { ok: false, reason: `CHROMIUM_PATH=${explicit} is not an executable file` };
  }
  const dirs = (env['PATH'] ?? '').split(delimiter).filter((d) => d !== '');
  for (const name of NAMES) {
    for (const d of dirs) {
      const p = join(d, name);
      if (executable(p)) return { ok: true, path: p };
    }
  }
  return { ok: false, reason: `no browser: set CHROMIUM_PATH or put one of ${NAMES.join(', ')} on PATH (Debian: apt-get install chromium)` };
}

/** Headless, no sandbox (the tests may run as root), no network besides what the page asks for (it asks for none). */
export async function launch(path: string): Promise<Browser> {
  const { launch: start } = await import('puppeteer-core');
  return start({
    executablePath: path,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check'],
  });
}

export interface Seen {
  readonly problems: string[];
  readonly page: Page;
}

/** Opens the file, recording console errors and warnings, script errors and every request but the page's own. */
export async function openReport(browser: Browser, file: string): Promise<Seen> {
  const page = await browser.newPage();
  const problems: string[] = [];
  const url = pathToFileURL(file).href;
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
  page.on('requestfailed', (q) => problems.push(`failed request: ${q.url()}`));
  page.on('request', (q) => {
    if (q.url() !== url) problems.push(`request: ${q.url()}`);
  });
  await page.goto(url, { waitUntil: 'load' });
  return { problems, page };
}
