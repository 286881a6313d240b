// The maps in headless Chromium, on the demo data: the national coordinator
// opens the world flow map and Brazil by subdivision; flows and the legend are
// visible; no request leaves the machine. Screenshots go to artifacts/.
//
// Runs the real binary ($VIGIA_BIN, default ../../target/debug/vigia): `vigia demo
// --no-serve` into a temporary directory, then `vigia serve` on it. Chromium is the
// Debian package (/usr/bin/chromium or $CHROMIUM); nothing is downloaded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ARTIFACTS, BIN, checkPrerequisites, dbArgs, launchBrowser, startServer, stopServer,
} from './harness.mjs';

test('world flow map and Brazil by subdivision in headless Chromium', { timeout: 180_000 }, async (t) => {
  checkPrerequisites();
  const dir = mkdtempSync(join(tmpdir(), 'vigia-maps-'));
  let server = null;
  let browser = null;
  t.after(async () => {
    if (browser) await browser.close().catch(() => {});
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  const demo = spawnSync(BIN, ['demo', '--no-serve', ...dbArgs(dir)], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(demo.status, 0, `vigia demo failed: ${demo.stderr}`);
  // "  coordinator  EMAIL  password PASSWORD  (agency)"
  const line = demo.stdout.split('\n').find((l) => l.trim().startsWith('coordinator '));
  assert.ok(line, `no coordinator login in: ${demo.stdout}`);
  const w = line.trim().split(/\s+/);
  const email = w[1];
  const password = w[w.indexOf('password') + 1];

  const started = startServer(dir);
  server = started.child;
  const base = await started.url;
  browser = await launchBrowser();
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(20_000);
  // Every request the pages make must go to Vigia itself.
  const foreign = [];
  context.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) foreign.push(r.url()); });
  const page = await context.newPage();
  await page.goto('/login');
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('button[type="submit"]')]);

  // ---- the world flow map ----
  await page.goto('/maps');
  const flows = page.locator('#flows-world');
  await flows.waitFor({ state: 'visible' });
  const lines = flows.locator('g.flows a.flow');
  assert.ok((await lines.count()) > 0, 'the world flow map draws corridors');
  assert.ok(await lines.first().isVisible(), 'the largest corridor is visible');
  const legend = flows.locator('g.legend');
  assert.ok(await legend.isVisible(), 'the flow map has a visible legend');
  assert.match(await legend.textContent(), /Cases per corridor/);
  // A tooltip carries the figures.
  assert.match(await lines.first().locator('title').textContent(), /→ .*: \d+ cases|Within .*: \d+ cases/);
  const box = await flows.boundingBox();
  assert.ok(box && box.width > 600 && box.height > 300, `flow map size ${JSON.stringify(box)}`);
  await flows.screenshot({ path: join(ARTIFACTS, 'maps-world-flows.png') });
  await page.screenshot({ path: join(ARTIFACTS, 'maps-dashboard.png'), fullPage: true });
  assert.ok(await page.locator('#choropleth-citizenship g.legend').isVisible(), 'citizenship choropleth legend');

  // ---- click a country: the dashboard filters to it ----
  await Promise.all([page.waitForNavigation(), page.locator('#choropleth-citizenship a.region[data-code="BR"]').click()]);
  assert.match(page.url(), /place=BR/);
  await page.locator('#place-filter').waitFor();

  // ---- Brazil by subdivision ----
  await page.goto('/maps/BR');
  const br = page.locator('#choropleth-subdivision-exploitation');
  await br.waitFor({ state: 'visible' });
  assert.equal(await br.locator('a.region').count(), 27, 'the 26 states and the Federal District');
  const shaded = await br.locator('a.region path').evaluateAll((ps) => ps.filter((p) => p.getAttribute('fill') !== '#eeeeee').length);
  assert.ok(shaded > 0, 'some states have cases');
  assert.ok(await br.locator('g.legend').isVisible(), 'the Brazil map has a visible legend');
  await br.screenshot({ path: join(ARTIFACTS, 'maps-brazil-subdivisions.png') });
  const brFlows = page.locator('#flows-country');
  await brFlows.screenshot({ path: join(ARTIFACTS, 'maps-brazil-flows.png') });

  assert.deepEqual(foreign, [], 'no request left the machine');
});
