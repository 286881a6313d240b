// A reporting round in headless Chromium: a national coordinator opens a round
// (the annual statistics template) for three agencies; the police pre-fill the
// figures from their case records and submit before the deadline; the NGO
// submits after it; the shelter does not submit. The round's dashboard shows
// completeness 67 % and timeliness 33 % and names the shelter as missing; a
// reminder reaches the shelter's inbox; the accepted submission's form is locked
// and says why.
//
// How "after the deadline" is made true, honestly: the server refuses a
// deadline in the past, and the browser cannot move the server's clock. So the
// coordinator opens the round with a real deadline about 40 seconds ahead (UTC,
// to the second); the police submit at once; the test then waits, on the real
// clock, until that deadline has passed, and only then does the NGO submit. The
// server stamps each submission with its own clock and compares it with the due
// date in force. Nothing is back-dated and no deadline is shortened.
//
// Runs the real binary ($VIGIA_BIN, default ../../target/debug/vigia) on a fresh
// SQLite database in a temporary directory; Chromium is the Debian package
// (/usr/bin/chromium or $CHROMIUM). Screenshots go to artifacts/ (gitignored).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ARTIFACTS, PASSWORD, checkPrerequisites, launchBrowser, signIn, startServer, stopServer, submit, vigia,
} from './harness.mjs';
const LEAD_SECONDS = 40;

const COORD = 'coord@gov.example';
const POLICE = 'cw@police.example';
const NGO = 'admin@ngo.example';
const SHELTER = 'cw@shelter.example';

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

test('a reporting round: completeness 67 %, timeliness 33 %, the missing agency named', { timeout: 240_000 }, async (t) => {
  checkPrerequisites();
  const dir = mkdtempSync(join(tmpdir(), 'vigia-rounds-'));
  let server = null;
  let browser = null;
  const pages = {};
  const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `rounds-${name}.png`), fullPage: true });

  t.after(async () => {
    if (browser) await browser.close().catch(() => {});
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  try {
    // ---- the world: a national coordinator and three agencies in Brazil ----
    vigia(dir, ['migrate']);
    const coord = vigia(dir, ['agency', 'add', '--name', 'Coordenação Nacional', '--kind', 'national_coordinator', '--country', 'BR']);
    const police = vigia(dir, ['agency', 'add', '--name', 'Polícia Federal PE', '--kind', 'police', '--country', 'BR']);
    const ngo = vigia(dir, ['agency', 'add', '--name', 'ONG Travessia', '--kind', 'ngo', '--country', 'BR']);
    const shelter = vigia(dir, ['agency', 'add', '--name', 'Casa Abrigo Recife', '--kind', 'shelter', '--country', 'BR']);
    vigia(dir, ['user', 'add', '--email', COORD, '--role', 'coordinator', '--agency', coord], `${PASSWORD}\n`);
    vigia(dir, ['user', 'add', '--email', POLICE, '--role', 'caseworker', '--agency', police], `${PASSWORD}\n`);
    vigia(dir, ['user', 'add', '--email', NGO, '--role', 'agency_admin', '--agency', ngo], `${PASSWORD}\n`);
    vigia(dir, ['user', 'add', '--email', SHELTER, '--role', 'caseworker', '--agency', shelter], `${PASSWORD}\n`);

    const started = startServer(dir);
    server = started.child;
    const base = await started.url;
    browser = await launchBrowser();

    // Everyone signs in first, so that the seconds before the deadline go to the round itself.
    pages.coord = (await signIn(browser, base, COORD, { timeout: 15_000 })).page;
    pages.police = (await signIn(browser, base, POLICE, { timeout: 15_000 })).page;
    pages.ngo = (await signIn(browser, base, NGO, { timeout: 15_000 })).page;
    pages.shelter = (await signIn(browser, base, SHELTER, { timeout: 15_000 })).page;

    // ---- the coordinator opens the round, due in about 40 seconds (UTC, to the second) ----
    const deadlineMs = Math.ceil((Date.now() + LEAD_SECONDS * 1000) / 1000) * 1000;
    const deadline = new Date(deadlineMs).toISOString().slice(0, 19);
    let roundUrl;
    {
      const p = pages.coord;
      await p.goto('/rounds');
      const form = p.locator('#round-form');
      await form.locator('input[name="title"]').fill('Statistics 2024');
      await form.locator('select[name="source"]').selectOption('t:annual_statistics');
      await form.locator('input[name="period_from"]').fill('2024-01-01');
      await form.locator('input[name="period_to"]').fill('2024-12-31');
      await form.locator('input[name="deadline"]').fill(deadline);
      for (const id of [police, ngo, shelter]) await form.locator(`input[name="recipients"][value="${id}"]`).check();
      await form.locator('input[name="compulsory"]').check();
      await submit(p, '#round-form button[type="submit"]');
      assert.match(new URL(p.url()).pathname, /^\/rounds\/[0-9a-f-]+$/, 'the round opens on its dashboard');
      roundUrl = new URL(p.url()).pathname;
      assert.equal((await p.locator('#completeness').innerText()).trim(), '0 %');
      assert.equal(await p.locator('#recipients tbody tr').count(), 3);
      await shot(p, 'opened');
    }

    // ---- the police: from the inbox, pre-fill the figures from their case records, add the justice figures, submit ----
    {
      const p = pages.police;
      await p.goto('/rounds/inbox');
      const item = p.locator('.inbox-item', { hasText: 'Statistics 2024' });
      await item.waitFor();
      assert.match(await item.innerText(), /compulsory/);
      await Promise.all([p.waitForNavigation(), item.locator('a').first().click()]);
      await Promise.all([p.waitForNavigation(), p.locator('#prefill').click()]);
      assert.match(await p.locator('#answer-notice').innerText(), /Suggested from 0 case record/);
      assert.equal(await p.locator('input[name="q.victims_total"]').inputValue(), '0');
      await p.locator('input[name="q.persons_prosecuted"]').fill('3');
      await p.locator('input[name="q.persons_convicted"]').fill('1');
      await p.locator('input[name="q.victims_by_citizenship.country"]').first().fill('unknown');
      await p.locator('input[name="q.victims_by_citizenship.count"]').first().fill('0');
      await submit(p, '#submit');
      assert.equal(await p.locator('#state').getAttribute('data-state'), 'submitted');
      assert.match(await p.locator('#items').innerText(), /5 of 5/);
      assert.ok(Date.now() < deadlineMs, `the police submission must land before the deadline: the machine was too slow (lead ${LEAD_SECONDS} s)`);
      await shot(p, 'police-submitted');
    }

    // ---- the NGO saves a draft now, and submits only after the deadline has passed on the real clock ----
    {
      const p = pages.ngo;
      await p.goto(`${roundUrl}/answer`);
      await p.locator('input[name="q.persons_prosecuted"]').fill('0');
      await submit(p, 'button[value="save_draft"]');
      assert.equal(await p.locator('#state').getAttribute('data-state'), 'draft');
      const wait = deadlineMs - Date.now() + 1500;
      if (wait > 0) await sleep(wait);
      await p.goto('/rounds/inbox');
      assert.match(await p.locator('.inbox-item').innerText(), /overdue/, 'past the deadline the inbox says so');
      await p.goto(`${roundUrl}/answer`);
      assert.equal(await p.locator('input[name="q.persons_prosecuted"]').inputValue(), '0', 'the draft was kept');
      await p.locator('input[name="q.victims_total"]').fill('4');
      await submit(p, '#submit');
      assert.equal(await p.locator('#state').getAttribute('data-state'), 'submitted');
      await shot(p, 'ngo-late');
    }

    // ---- the dashboard: 67 % complete, 33 % on time, the shelter missing ----
    {
      const p = pages.coord;
      await p.goto(roundUrl);
      assert.equal((await p.locator('#completeness').innerText()).trim(), '67 %');
      assert.equal((await p.locator('#timeliness').innerText()).trim(), '33 %');
      const missing = await p.locator('#missing').innerText();
      assert.match(missing, /Casa Abrigo Recife/);
      assert.doesNotMatch(missing, /Polícia|ONG/);
      const row = (name) => p.locator('#recipients tbody tr', { hasText: name });
      assert.match(await row('Polícia Federal PE').innerText(), /on time/);
      assert.match(await row('ONG Travessia').innerText(), /late/);
      assert.match(await row('Casa Abrigo Recife').innerText(), /overdue/);
      // Item completeness: police 5 of 5, NGO 2 of 5.
      assert.equal((await p.locator('#item-completeness').innerText()).trim(), '70 %');
      await shot(p, 'dashboard');

      // A reminder to everyone missing.
      await submit(p, '#missing button[type="submit"]');
      assert.match(await p.locator('.notice').innerText(), /Reminder sent/);
      assert.match(await row('Casa Abrigo Recife').innerText(), /\b1\b/);

      // The police submission is accepted.
      await p.goto(`${roundUrl}/recipients/${police}`);
      assert.match(await p.locator('#lock-reason').innerText(), /Read-only/);
      await submit(p, 'button[value="accept"]');
      assert.match(await row('Polícia Federal PE').innerText(), /Accepted/);
    }

    // ---- the shelter sees the reminder; the police see their form locked, with the reason ----
    {
      const p = pages.shelter;
      await p.goto('/rounds/inbox');
      const item = p.locator('.inbox-item', { hasText: 'Statistics 2024' });
      assert.match(await item.innerText(), /overdue/);
      assert.match(await item.locator('.reminders').innerText(), /Reminder: "Statistics 2024" is due .* compulsory/);
      await shot(p, 'shelter-inbox');
      const q = pages.police;
      await q.goto(`${roundUrl}/answer`);
      assert.match(await q.locator('#lock-reason').innerText(), /accepted this submission/);
      assert.equal(await q.locator('#submit').count(), 0, 'a locked form has no submit button');
      await shot(q, 'police-locked');
    }
  } catch (e) {
    for (const [who, page] of Object.entries(pages)) {
      await page.screenshot({ path: join(ARTIFACTS, `rounds-failure-${who}.png`), fullPage: true }).catch(() => {});
    }
    throw e;
  }
});
