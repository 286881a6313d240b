// Action plans in headless Chromium: a coordinator creates a plan with an activity
// and a computed indicator; adding a case moves the indicator; the NGO designated as
// independent monitor files a diverging assessment and the dashboard flags it.
// Real binary, fresh SQLite, Debian Chromium: see harness.mjs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ARTIFACTS, PASSWORD, checkPrerequisites, launchBrowser, signIn, startServer, stopServer, submit, vigia,
} from './harness.mjs';

const COORD = 'coord@plans.example';
const NGO_ADMIN = 'admin@watch.example';
const NGO_CW = 'cw@watch.example';

test('a plan with a live indicator, moved by a new case, and a diverging shadow assessment', { timeout: 120_000 }, async (t) => {
  checkPrerequisites();
  const dir = mkdtempSync(join(tmpdir(), 'vigia-plans-'));
  let server = null;
  let browser = null;
  t.after(async () => {
    if (browser) await browser.close().catch(() => {});
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  vigia(dir, ['migrate']);
  const coordAgency = vigia(dir, ['agency', 'add', '--name', 'Coordenação BR', '--kind', 'national_coordinator', '--country', 'BR']);
  const ngo = vigia(dir, ['agency', 'add', '--name', 'Watch NGO', '--kind', 'ngo', '--country', 'BR']);
  vigia(dir, ['user', 'add', '--email', COORD, '--role', 'coordinator', '--agency', coordAgency], `${PASSWORD}\n`);
  vigia(dir, ['user', 'add', '--email', NGO_ADMIN, '--role', 'agency_admin', '--agency', ngo], `${PASSWORD}\n`);
  vigia(dir, ['user', 'add', '--email', NGO_CW, '--role', 'caseworker', '--agency', ngo], `${PASSWORD}\n`);
  const token = vigia(dir, ['token', 'create', '--email', NGO_CW]);

  const started = startServer(dir);
  server = started.child;
  const base = await started.url;
  browser = await launchBrowser();

  const today = new Date().toISOString().slice(0, 10);
  const year = today.slice(0, 4);
  const addCase = async () => {
    const r = await fetch(`${base}/api/v1/cases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sex: 'female', age_at_identification: 19, citizenship: 'BR', acts: ['recruitment'], means: ['deception'],
        exploitation: ['sexual_exploitation'], identified_on: today, route: [{ country: 'BR', subdivision: 'BR-PE' }] }),
    });
    assert.equal(r.status, 201, await r.text());
  };
  await addCase();

  // The coordinator creates a plan, names the NGO as independent monitor, adds an activity and a computed indicator.
  const { page } = await signIn(browser, base, COORD);
  await page.goto('/plans');
  await page.fill('#plan-form input[name="title"]', 'National plan against trafficking (browser test)');
  await page.selectOption('#plan-form select[name="level"]', 'national');
  await page.fill('#plan-form input[name="period_from"]', `${year}-01-01`);
  await page.fill('#plan-form input[name="period_to"]', `${year}-12-31`);
  await page.fill('#plan-form input[name="owner"]', 'National committee');
  await page.selectOption('#plan-form select[name="monitors"]', { label: 'Watch NGO (NGO, BR)' });
  await submit(page, '#plan-form button[type="submit"]');
  assert.match(new URL(page.url()).pathname, /^\/plans\/[0-9a-f-]+$/);
  const planUrl = new URL(page.url()).pathname;

  await page.selectOption('#activity-form select[name="pillar"]', 'protection');
  await page.fill('#activity-form input[name="objective"]', 'Assist every person identified');
  await page.fill('#activity-form input[name="title"]', 'Open shelter places');
  await page.fill('#activity-form input[name="responsible"]', 'Social assistance secretariat');
  await page.fill('#activity-form input[name="start"]', `${year}-01-01`);
  await page.fill('#activity-form input[name="end"]', `${year}-12-31`);
  await page.fill('#activity-form input[name="budget_allocated"]', '10000');
  await page.fill('#activity-form input[name="budget_spent"]', '2500');
  await page.selectOption('#activity-form select[name="status"]', 'in_progress');
  await submit(page, '#activity-form button[type="submit"]');
  await page.locator('#plan-notice', { hasText: 'Activity added' }).waitFor();
  assert.equal((await page.locator('#budget-execution').textContent()).trim(), '25 %');

  await page.fill('#indicator-form input[name="title"]', 'Persons identified');
  await page.selectOption('#indicator-form select[name="source"]', 'identified_persons');
  await page.fill('#indicator-form input[name="unit"]', 'persons');
  await page.fill('#indicator-form input[name="yearly_target"]', '10');
  await submit(page, '#indicator-form button[type="submit"]');
  await page.locator('#plan-notice', { hasText: 'Indicator added' }).waitFor();
  const row = page.locator('#indicators tr[data-indicator]').first();
  assert.equal((await row.locator('td.current').textContent()).trim(), '1');
  assert.ok(await row.locator('svg.trend').count() === 1, 'a server-drawn trend');

  // A new case moves the indicator.
  await addCase();
  await page.goto(planUrl);
  assert.equal((await page.locator('#indicators tr[data-indicator] td.current').first().textContent()).trim(), '2');
  assert.equal((await page.locator('#divergences').textContent()).trim(), '0');
  assert.equal(await page.locator('#assess-form').count(), 0, 'the owner cannot assess its own plan');

  // The monitor files a diverging assessment; the dashboard flags the difference.
  const ngoSession = await signIn(browser, base, NGO_ADMIN);
  const m = ngoSession.page;
  await m.goto(planUrl);
  assert.equal(await m.locator('#activity-form').count(), 0, 'the monitor does not keep the plan');
  await m.selectOption('#assess-form select[name="subject"]', { label: 'Indicator: Persons identified' });
  await m.fill('#assess-form input[name="value"]', '7');
  await m.fill('#assess-form textarea[name="comment"]', 'Our own count is higher.');
  await submit(m, '#assess-form button[type="submit"]');
  await m.locator('#plan-notice', { hasText: 'Independent assessment filed' }).waitFor();
  await page.goto(planUrl);
  assert.equal((await page.locator('#divergences').textContent()).trim(), '1');
  const flagged = page.locator('#indicators tr[data-diverges="yes"]');
  assert.equal(await flagged.count(), 1);
  assert.match(await flagged.locator('.divergence').textContent(), /official 2, independent 7/);
  await page.screenshot({ path: join(ARTIFACTS, 'plans-dashboard.png'), fullPage: true });

  // The print layout holds the same figures.
  await page.goto(`${planUrl}/print`);
  assert.equal((await page.locator('#r-divergences').textContent()).trim(), '1');
  assert.equal((await page.locator('#r-execution').textContent()).trim(), '25 %');
});
