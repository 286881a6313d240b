// What the browser tests share: the real binary ($VIGIA_BIN, default
// ../../target/debug/vigia) on a SQLite database in a temporary directory, and
// the Debian Chromium (/usr/bin/chromium or $CHROMIUM) driven by playwright-core;
// nothing is downloaded. Screenshots go to artifacts/ (gitignored).

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
export const BIN = resolve(HERE, process.env.VIGIA_BIN || '../../target/debug/vigia');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = join(HERE, 'artifacts');
/** The password of every user a test adds. */
export const PASSWORD = 'a long enough password for tests';

/** Fail early and clearly when the binary or the browser is missing; make artifacts/. */
export function checkPrerequisites() {
  assert.ok(existsSync(BIN), `no vigia binary at ${BIN} (cargo build -p vigia, or set VIGIA_BIN)`);
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  mkdirSync(ARTIFACTS, { recursive: true });
}

export function dbArgs(dir) {
  return ['--db', `sqlite://${join(dir, 'v.db')}`, '--key-file', join(dir, 'v.key')];
}

/** Run a `vigia` command on the test's database; it must succeed. Returns stdout. */
export function vigia(dir, args, input) {
  const r = spawnSync(BIN, [...args, ...dbArgs(dir)], { input: input ?? '', encoding: 'utf8', timeout: 60_000 });
  // stderr may be shown; it carries no identifying value (only agency names and e-mails of test users).
  assert.equal(r.status, 0, `vigia ${args.slice(0, 2).join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** `vigia serve` on a free port; `url` resolves to its base URL once it listens. */
export function startServer(dir) {
  const child = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', ...dbArgs(dir)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const url = new Promise((ok, fail) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`vigia serve did not start within 20 s: ${err}`)), 20_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/Vigia is listening on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`vigia serve exited with ${code}: ${err}`));
    });
  });
  return { child, url };
}

export function stopServer(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => { child.kill('SIGKILL'); }, 5_000);
    child.once('exit', () => { clearTimeout(force); done(); });
    child.kill('SIGTERM');
  });
}

/**
 * Playwright's own launch, pointed at the Debian Chromium. Playwright gives the
 * browser a fresh temporary profile and removes it on close.
 */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A new browser context signed in as `email`; returns it and its page. */
export async function signIn(browser, base, email, { password = PASSWORD, timeout = 10_000 } = {}) {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(timeout);
  const page = await context.newPage();
  await page.goto('/login');
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type="submit"]')]);
  // Signed in: the header names the user.
  await page.locator('header .who', { hasText: email }).waitFor();
  return { context, page };
}

/** Submit a form by clicking its button and wait for the page that answers. */
export async function submit(page, button) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator(button).click()]);
}
