// Lessons tell the truth: a chapter that tells of a violation appears at the event the
// Invariants tab reports; a deliberate bug is one click from the scenario that exposes it,
// and the narration says the bug is on instead of telling the healthy story; a lab
// parameter out of its range stays in its field, marked, in the field's words and unit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, setSpeed, simTime, screenshot, watchLongTasks, longestTask } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

test('a chapter cued on a check appears when the check fires, not at a guess of the time', async () => {
  const page = await openPage(context, '#lab=failure-detection&preset=gc-pause');
  await page.getByTestId('narration').waitFor({ timeout: 20_000 });
  await page.getByTestId('play-pause').click();
  await page.getByTestId('next-chapter').click(); // the pause, at 1 s
  assert.match(await page.getByTestId('narration-text').textContent(), /freezes/);
  await page.getByTestId('tab-invariants').click();
  assert.equal(await page.getByTestId('invariant-0').getAttribute('data-state'), 'holds', 'nobody suspects S2 yet');
  await page.getByTestId('next-chapter').click(); // the false suspicion: runs on to the check
  assert.match(await page.getByTestId('narration-text').textContent(), /Strong accuracy is violated/);
  assert.equal(await page.getByTestId('invariant-0').getAttribute('data-state'), 'violated');
  const detail = await page.getByTestId('invariant-0').locator('.violation-detail').textContent();
  const at = Number(detail.match(/at ([\d.]+) s/)[1]);
  const now = await simTime(page);
  assert.ok(Math.abs(now / 1e6 - at) < 0.0015, `the chapter shows at ${now} µs, the check fired at ${at} s`);
  // Stepping back to where the check holds again takes the chapter away with it.
  for (let i = 0; i < 50 && (await page.getByTestId('invariant-0').getAttribute('data-state')) !== 'holds'; i += 1) {
    await page.getByTestId('step-back').click();
  }
  assert.equal(await page.getByTestId('invariant-0').getAttribute('data-state'), 'holds');
  assert.doesNotMatch(await page.getByTestId('narration-text').textContent(), /Strong accuracy is violated/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a deliberate bug names the scenario that exposes it, and the narration says it is on', async () => {
  const page = await openPage(context, '#lab=raft&preset=election');
  await page.getByTestId('narration').waitFor({ timeout: 20_000 });
  await page.getByTestId('tab-parameters').click();
  await page.getByTestId('param-bug').selectOption({ label: 'vote twice in a term' });
  await page.getByTestId('show-bug').click();
  await page.getByTestId('narration-departure').waitFor();
  assert.match(await page.getByTestId('narration-departure').textContent(), /A deliberate bug is on: “vote twice in a term”/);
  await setSpeed(page, '1×');
  await page.locator('[data-testid^=invariant-][data-state=violated]').first().waitFor({ timeout: 20_000 });
  const caught = await page.locator('[data-testid^=invariant-][data-state=violated] strong').first().textContent();
  assert.equal(caught, 'Election safety');
  assert.match(await page.getByTestId('narration-departure').textContent(), /Caught: “Election safety” was violated/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a lab parameter out of its range stays in its field, with the range in the field\'s unit', async () => {
  const page = await openPage(context, '#lab=raft');
  await page.getByTestId('canvas').waitFor({ timeout: 20_000 });
  await page.getByTestId('tab-parameters').click();
  const field = page.getByTestId('param-heartbeat_ms');
  const before = await field.inputValue();
  await field.fill('999999');
  await field.press('Enter');
  await field.blur();
  assert.equal(await field.inputValue(), '999999', 'what was typed stays');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  const message = await page.getByTestId('param-heartbeat_ms-error').textContent();
  assert.match(message, /Heartbeat interval takes a whole number from \d+ ms to \d+ ms/);
  await field.fill(before);
  await field.blur();
  assert.equal(await page.getByTestId('param-heartbeat_ms-error').count(), 0, 'a good value clears the mark');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the hunt: a thousand seeds in seconds without blocking, and a bug found as a link to its violation', async () => {
  const page = await openPage(context, '#lab=raft');
  await page.getByTestId('canvas').waitFor({ timeout: 20_000 });
  await page.getByTestId('tab-invariants').click();
  await watchLongTasks(page);
  // The default settings: every seed runs, none breaks a check.
  const started = Date.now();
  await page.getByTestId('hunt-start').click();
  await page.getByTestId('hunt-summary').waitFor({ timeout: 120_000 });
  const seconds = (Date.now() - started) / 1000;
  assert.match(await page.getByTestId('hunt-summary').textContent(), /^1000 seeds in [\d.]+ s: none broke a check\.$/);
  const longest = await longestTask(page);
  console.log(`hunt, browser: 1000 seeds of raft in ${seconds.toFixed(1)} s (${Math.round(1000 / seconds)} seeds/s); longest task ${Math.round(longest)} ms`);
  assert.ok(seconds < 30, `a thousand seeds took ${seconds} s`);
  assert.ok(longest < 50, `longest task while hunting: ${longest} ms`);
  // With "vote twice in a term" on, the hunt lists runs that break election safety.
  await page.getByTestId('tab-parameters').click();
  await page.getByTestId('param-bug').selectOption({ label: 'vote twice in a term' });
  await page.getByTestId('tab-invariants').click();
  await page.getByTestId('hunt-start').click();
  const finding = page.getByTestId('hunt-finding').first();
  await finding.waitFor({ timeout: 60_000 });
  const line = await finding.textContent();
  assert.match(line, /^Seed \d+ — Election safety at [\d.]+ m?s: .* \(faults: .+\)$/);
  if (await page.getByTestId('hunt-stop').count()) await page.getByTestId('hunt-stop').click();
  await screenshot(page, 'raft-hunt');
  // Its link opens that run paused at the violation, on the Invariants tab.
  await finding.getByTestId('hunt-open').click();
  await page.waitForFunction(() => location.hash.startsWith('#s='));
  const violated = page.locator('[data-testid^=invariant-][data-state=violated] strong').first();
  await violated.waitFor({ timeout: 20_000 });
  assert.equal(await violated.textContent(), 'Election safety');
  const at = line.match(/Election safety at ([\d.]+) (m?s)/);
  const us = Number(at[1]) * (at[2] === 'ms' ? 1_000 : 1_000_000);
  assert.ok(Math.abs(await simTime(page) - us) < 1_000, `paused at the violation (${at[0]})`);
  assert.deepEqual(page.errors, []);
  await page.close();
});
