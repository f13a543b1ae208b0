// Shared set-up of the browser tests: start madoguchi on a fresh demo database, launch
// Debian's Chromium through playwright-core, and keep screenshots under target/e2e/.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const root = resolve(import.meta.dirname, '..');
export const shots = join(root, 'target', 'e2e');
mkdirSync(shots, { recursive: true });

const CHROMIUM_FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Starts `madoguchi serve --demo` on a free port with its own data directory, with the
 * configuration `env` (MADOGUCHI_* variables) added. */
export async function startServer(env = {}) {
  const bin = process.env.MADOGUCHI_BIN ?? join(root, 'target', 'debug', 'madoguchi');
  const dataDir = mkdtempSync(join(tmpdir(), 'madoguchi-e2e-'));
  const port = 18000 + Math.floor(Math.random() * 2000);
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(bin, ['serve', '--demo', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    // Cheap Argon2 as in the integration tests: the hashing threads run at the lowest
    // priority, and several Chromiums at once would starve them past the tests' timeouts.
    // One file's tests execute more 確認 as master01 within a minute than a person does
    // (the eleventh was refused 429, SEC-0003); the limits have their own tests (it/limits).
    env: {
      ...process.env,
      MADOGUCHI_LOG: process.env.MADOGUCHI_E2E_LOG ?? 'warn',
      MADOGUCHI_ARGON2_MEMORY_KIB: '256',
      MADOGUCHI_ARGON2_ITERATIONS: '1',
      MADOGUCHI_CONFIRMATION_PER_USER_PER_MINUTE: '1000',
      ...env,
    },
  });
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    dataDir,
    /** Runs an operator command (`madoguchi …`) on this server's database; its output. */
    cli(args) {
      const r = spawnSync(bin, [...args, '--data-dir', dataDir], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`madoguchi ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    },
    async stop() {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
}

/** Saves a full-page screenshot as target/e2e/NAME.png. */
export async function shot(page, name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** Logs in through the login screen. */
export async function login(page, base, loginId, password) {
  await page.goto(`${base}/login`);
  await page.getByLabel('ログインID').fill(loginId);
  await page.getByLabel('ログインパスワード').fill(password);
  await page.getByRole('button', { name: 'ログイン' }).click();
}

/** Clicks `button` and waits for the page it posts to: a form answered at the same address
 * (a refusal shown again, a 結果) would otherwise be read before it arrives. */
export async function submit(page, button) {
  await page.evaluate(() => { document.documentElement.dataset.stale = '1'; });
  await button.click();
  await page.waitForFunction(() => !document.documentElement.dataset.stale);
}

/** Asserts that the page shows screen `id`, naming the screen and message shown instead. */
export async function shown(page, id) {
  const screen = (await page.locator('.screen-id').allTextContents()).join(' ');
  if (screen.includes(id)) return;
  const said = (await page.locator('[role=alert], .field-error').allTextContents()).join(' / ');
  throw new Error(`expected ${id} at ${page.url()}, shown: ${screen || '(no screen id)'}; ${said || (await page.title())}`);
}

/** A server (with the configuration `env`) and a browser for the tests of one file,
 * started before and stopped after. */
export function useApp(env = {}) {
  const app = {};
  before(async () => {
    app.server = await startServer(env);
    app.browser = await launch();
  });
  after(async () => {
    await app.browser?.close();
    await app.server?.stop();
  });
  return app;
}
