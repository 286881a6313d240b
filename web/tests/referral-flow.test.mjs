// The identification-and-referral path in headless Chromium, as people walk it:
// an NGO administrator opens a sharing agreement with a shelter; an NGO
// caseworker records a case (watching the live screening panel), screens it,
// records consent and refers the person to the shelter (the police, with no
// agreement, cannot be chosen); the shelter sees only the agreed fields,
// accepts and records a service; the consent is withdrawn, a second referral
// is refused with a clear message, and the case timeline shows every step.
//
// Runs the real binary ($VIGIA_BIN, default ../../target/debug/vigia) on a
// fresh SQLite database in a temporary directory. Chromium is the Debian
// package (/usr/bin/chromium or $CHROMIUM); nothing is downloaded. Screenshots
// go to artifacts/ (gitignored). All data below is synthetic.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ARTIFACTS, PASSWORD, checkPrerequisites, launchBrowser, signIn, startServer, stopServer, submit, vigia,
} from './harness.mjs';
// Distinctive synthetic identifying values: they must never reach the shelter.
const GIVEN = 'Quirelda';
const FAMILY = 'Vrelkondastro';
const DOCUMENT = 'P-7731-XQ';
const WISHES = 'wants to stay near her sister in Recife';

const NGO_CW = 'cw@ngo.example';
const NGO_ADMIN = 'admin@ngo.example';
const SHELTER_CW = 'cw@shelter.example';

test('identification and referral path in headless Chromium', { timeout: 120_000 }, async (t) => {
  checkPrerequisites();
  const dir = mkdtempSync(join(tmpdir(), 'vigia-browser-'));
  let server = null;
  let browser = null;
  const pages = {};
  let shots = 0;
  const shot = async (page, name) => {
    shots += 1;
    await page.screenshot({ path: join(ARTIFACTS, `${String(shots).padStart(2, '0')}-${name}.png`), fullPage: true });
  };

  t.after(async () => {
    if (browser) await browser.close().catch(() => {});
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  });

  try {
    // ---- the world: three agencies in Brazil, three users ----
    vigia(dir, ['migrate']);
    const ngo = vigia(dir, ['agency', 'add', '--name', 'NGO Recife', '--kind', 'ngo', '--country', 'BR']);
    const shelter = vigia(dir, ['agency', 'add', '--name', 'Casa Abrigo', '--kind', 'shelter', '--country', 'BR']);
    const police = vigia(dir, ['agency', 'add', '--name', 'Police PE', '--kind', 'police', '--country', 'BR']);
    for (const id of [ngo, shelter, police]) assert.match(id, /^[0-9a-f-]{8,}$/i, 'agency add prints the new id');
    vigia(dir, ['user', 'add', '--email', NGO_CW, '--role', 'caseworker', '--agency', ngo], `${PASSWORD}\n`);
    vigia(dir, ['user', 'add', '--email', NGO_ADMIN, '--role', 'agency_admin', '--agency', ngo], `${PASSWORD}\n`);
    vigia(dir, ['user', 'add', '--email', SHELTER_CW, '--role', 'caseworker', '--agency', shelter], `${PASSWORD}\n`);

    const started = startServer(dir);
    server = started.child;
    const base = await started.url;

    // Each user gets a separate browser context.
    browser = await launchBrowser();

    // ---- the NGO's administrator opens an agreement with the shelter (not identity) ----
    const admin = await signIn(browser, base, NGO_ADMIN);
    pages.admin = admin.page;
    {
      const p = admin.page;
      await p.goto('/agreements');
      const form = p.locator('#agreement-form');
      await form.locator('select[name="to_agency"]').selectOption(shelter);
      for (const c of ['demographics', 'exploitation', 'wishes']) await form.locator(`input[name="categories"][value="${c}"]`).check();
      for (const s of ['shelter', 'medical']) await form.locator(`input[name="services"][value="${s}"]`).check();
      assert.equal(await form.locator('input[name="categories"][value="identity"]').isChecked(), false);
      await submit(p, '#agreement-form button[type="submit"]');
      assert.equal(new URL(p.url()).pathname, '/agreements');
      const row = p.locator('table.data tbody tr', { hasText: 'Casa Abrigo' });
      await row.waitFor();
      assert.match(await row.innerText(), /in force/);
      assert.doesNotMatch(await row.innerText(), /Identity/, 'identity was not agreed');
      await shot(p, 'agreement');
    }

    // ---- the NGO caseworker records a case, watching the live screening panel ----
    const cw = await signIn(browser, base, NGO_CW);
    pages.cw = cw.page;
    let caseUrl;
    {
      const p = cw.page;
      await p.goto('/cases/new');
      assert.equal(await p.title(), 'New case · Vigia');
      const outcome = p.locator('#screen-outcome');
      // On an empty form the panel answers too, without a final outcome.
      await p.waitForFunction(() => document.getElementById('screen-outcome').hasAttribute('data-outcome')
        || document.querySelectorAll('#screen-reasons li').length > 0);
      const before = await outcome.getAttribute('data-outcome');
      assert.notEqual(before, 'meets_definition', 'nothing recorded yet cannot meet the definition');

      const form = p.locator('#case-form');
      await form.locator('input[name="given_names"]').fill(GIVEN);
      await form.locator('input[name="family_names"]').fill(FAMILY);
      await form.locator('input[name="document_number"]').fill(DOCUMENT);
      await form.locator('select[name="sex"]').selectOption('female');
      await form.locator('input[name="age_at_identification"]').fill('24');
      await form.locator('input[name="citizenship"]').fill('BR');
      for (const a of ['recruitment', 'transportation']) await form.locator(`input[name="acts"][value="${a}"]`).check();
      await form.locator('input[name="means"][value="deception"]').check();
      await form.locator('input[name="exploitation"][value="sexual_exploitation"]').check();
      await form.locator('input[name="route_country"]').nth(0).fill('BR');
      await form.locator('input[name="route_subdivision"]').nth(0).fill('BR-PE');
      await form.locator('input[name="route_country"]').nth(1).fill('ES');

      // The panel follows the form: an outcome and its reasons.
      await p.locator('#screen-outcome[data-outcome="meets_definition"]').waitFor();
      assert.equal(await outcome.innerText(), 'Meets the definition');
      const reasons = await p.locator('#screen-reasons li').allInnerTexts();
      assert.ok(reasons.length >= 3, `the live panel gives its reasons: ${reasons.length}`);
      assert.match(await p.locator('#screen-profile').innerText(), /Profile \S+ version \d+/);
      await shot(p, 'case-form-live-screening');

      await submit(p, '#case-form button[type="submit"]');
      assert.match(new URL(p.url()).pathname, /^\/cases\/[^/]+$/, 'saved: the case page opens');
      caseUrl = new URL(p.url()).pathname;
      assert.match(await p.locator('main').innerText(), new RegExp(FAMILY), 'the recording agency sees the identity');

      // Screen on the case page: outcome with reasons.
      await submit(p, '#screening button[type="submit"]');
      assert.equal(new URL(p.url()).pathname, caseUrl);
      await p.locator('#screening-outcome').waitFor();
      assert.equal(await p.locator('#screening-outcome').innerText(), 'Meets the definition');
      assert.match(await p.locator('#screening-outcome').getAttribute('class'), /outcome-meets_definition/);
      assert.ok((await p.locator('#screening-reasons li').count()) >= 3, 'the screening gives its reasons');

      // The person's wishes (an agreed category for the shelter).
      await p.locator('#person textarea[name="wishes"]').fill(WISHES);
      await p.locator('#person input[name="language"]').fill('pt');
      await submit(p, '#person button[type="submit"]');

      // No agreement with the police: it is not offered; the shelter is.
      const offered = await p.locator('#refer-to option').evaluateAll((os) => os.map((o) => o.value));
      assert.deepEqual(offered, [shelter], 'only agencies with an agreement can be chosen');
      assert.ok(!offered.includes(police), 'the police has no agreement and cannot be chosen');
      // Even a forged choice (an option added to the page) is refused by the server.
      await p.locator('#refer-to').evaluate((sel, id) => sel.add(new Option('forged', id)), police);
      await p.locator('#refer-to').selectOption(police);
      await submit(p, '#refer-form button[type="submit"]');
      assert.match(await p.locator('#case-error').innerText(), /no sharing agreement/, 'no agreement: refused');
      assert.equal(await p.locator('#referrals li').count(), 0, 'nothing was sent to the police');
      await p.goto(caseUrl);

      // Record consent to share with the shelter.
      await p.locator('#consent summary').click();
      const consentForm = p.locator('#consent form[action$="/consent"]');
      await consentForm.locator('select[name="purpose"]').selectOption('share_with_agency');
      await consentForm.locator('select[name="agency_id"]').selectOption(shelter);
      await consentForm.locator('input[name="language"]').fill('pt');
      await submit(p, '#consent form[action$="/consent"] button[type="submit"]');
      await p.locator(`#consent button[data-withdraw="${shelter}"]`).waitFor();
      assert.match(await p.locator('#consent li').first().innerText(), /Casa Abrigo/);

      // Refer to the shelter.
      await p.locator('#refer-to').selectOption(shelter);
      await p.locator('#refer-form input[name="services"][value="shelter"]').check();
      await p.locator('#refer-form textarea[name="note"]').fill('urgent: needs a bed tonight');
      await submit(p, '#refer-form button[type="submit"]');
      assert.equal(await p.locator('#case-error').count(), 0, 'the referral was sent');
      await p.locator('#referrals li.referral-sent', { hasText: 'Casa Abrigo' }).waitFor();
      await shot(p, 'case-screened-consent-referred');
    }

    // ---- the shelter sees only the agreed fields, accepts, records a service ----
    const sh = await signIn(browser, base, SHELTER_CW);
    pages.shelter = sh.page;
    let referralUrl;
    {
      const p = sh.page;
      await p.goto('/referrals');
      const row = p.locator('#incoming tbody tr', { hasText: 'NGO Recife' });
      await row.waitFor();
      assert.match(await row.innerText(), /sent/);
      await Promise.all([p.waitForURL(/\/referrals\/[^/]+$/), row.locator('a', { hasText: 'Open' }).click()]);
      referralUrl = new URL(p.url()).pathname;

      const whole = await p.content();
      for (const secret of [FAMILY, GIVEN, DOCUMENT]) assert.ok(!whole.includes(secret), 'identifying data reached the shelter');
      assert.ok(!whole.includes('needs a bed tonight'), "the sender's note stays with the sender");
      const cats = await p.locator('#shared-categories').innerText();
      for (const c of ['demographics', 'exploitation', 'wishes']) assert.match(cats, new RegExp(c));
      assert.doesNotMatch(cats, /identity/);
      const shared = await p.locator('#shared-case').innerText();
      assert.match(shared, /female/, 'demographics agreed: sex shown');
      assert.match(shared, /\b24\b/, 'demographics agreed: age shown');
      assert.match(shared, /sexual_exploitation/, 'exploitation agreed');
      assert.match(shared, new RegExp(WISHES), 'wishes agreed');
      assert.doesNotMatch(shared, /Family names|Given names|Date of birth/, 'no identity rows');
      assert.doesNotMatch(shared, /BR-PE|\bES\b/, 'route was not agreed');
      await shot(p, 'shelter-referral-view');

      await submit(p, '#accept');
      assert.equal(new URL(p.url()).pathname, referralUrl);
      assert.equal(await p.locator('#referral-status').innerText(), 'accepted');
      await p.locator('select[name="kind"]').selectOption('shelter');
      await submit(p, '#record-service');
      await p.locator('#services li', { hasText: 'shelter' }).waitFor();
      await shot(p, 'shelter-accepted-service');
    }

    // ---- back at the NGO: withdraw consent, a second referral is refused ----
    {
      const p = cw.page;
      await p.goto(caseUrl);
      await p.locator('#referrals li.referral-accepted', { hasText: 'Casa Abrigo' }).waitFor();
      assert.match(await p.locator('#referrals li.referral-accepted').innerText(), /shelter from/, 'the sender sees the service');
      await submit(p, `#consent button[data-withdraw="${shelter}"]`);
      await p.locator('#consent .badge', { hasText: 'withdrawn' }).waitFor();
      assert.equal(await p.locator(`#consent button[data-withdraw="${shelter}"]`).count(), 0);

      await p.locator('#refer-to').selectOption(shelter);
      await p.locator('#refer-form input[name="services"][value="shelter"]').check();
      await submit(p, '#refer-form button[type="submit"]');
      const error = p.locator('#case-error');
      await error.waitFor();
      const message = await error.innerText();
      assert.match(message, /consent/i, 'the refusal names consent');
      assert.match(message, /cannot be sent/i, 'the refusal says the referral was not sent');
      assert.equal(await error.getAttribute('role'), 'alert');
      assert.equal(await p.locator('#referrals li').count(), 1, 'no second referral was created');
      await shot(p, 'second-referral-refused');
    }

    // ---- the shelter's view closed with the consent ----
    {
      const p = sh.page;
      const res = await p.goto(referralUrl);
      assert.equal(res.status(), 403);
      assert.match(await p.locator('main').innerText(), /withdrawn/);
      assert.ok(!(await p.content()).includes(WISHES), 'nothing shared after withdrawal');
    }

    // ---- the timeline shows every step, in order, with who ----
    {
      const p = cw.page;
      await Promise.all([p.waitForURL(/\/timeline$/), p.locator('a', { hasText: 'Timeline' }).click()]);
      const items = await p.locator('#timeline li').evaluateAll((ls) => ls.map((l) => ({
        who: l.querySelector('.who')?.textContent ?? '',
        what: l.querySelector('.what')?.textContent ?? '',
      })));
      const first = (step) => items.findIndex((i) => i.what.startsWith(step));
      const lastOf = (step) => items.findLastIndex((i) => i.what.startsWith(step));
      const steps = [
        ['Case recorded', NGO_CW],
        ['Screened', NGO_CW],
        ['Consent recorded', NGO_CW],
        ['Referral sent', NGO_CW],
        ['Referral accepted', SHELTER_CW],
        ['Service recorded', SHELTER_CW],
        ['Consent withdrawn', NGO_CW],
        ['Referral refused', NGO_CW],
      ];
      // The forged referral to the police was refused first (no agreement); the
      // refusal that matters here is the last one, after the consent was withdrawn.
      const refusals = items.filter((i) => i.what.startsWith('Referral refused'));
      assert.equal(refusals.length, 2, 'two refusals: no agreement, then no consent');
      assert.match(refusals[0].what, /no sharing agreement/);
      let last = -1;
      for (const [step, who] of steps) {
        const i = step === 'Referral refused' ? lastOf(step) : first(step);
        assert.ok(i >= 0, `timeline lacks "${step}": ${items.map((x) => x.what.split(':')[0]).join(' | ')}`);
        assert.ok(i > last, `"${step}" is out of order`);
        assert.equal(items[i].who, who, `"${step}" names who did it`);
        last = i;
      }
      assert.match(items[lastOf('Referral refused')].what, /withdrawn that consent/);
      const text = await p.locator('#timeline').innerText();
      for (const secret of [FAMILY, GIVEN, DOCUMENT]) assert.ok(!text.includes(secret), 'no identifying value in the timeline');
      await shot(p, 'timeline');
    }
  } catch (e) {
    for (const [who, page] of Object.entries(pages)) {
      await page.screenshot({ path: join(ARTIFACTS, `failure-${who}.png`), fullPage: true }).catch(() => {});
    }
    throw e;
  }
});
