// The Raft lab, driven only through the page as a person would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, openPage, screenshot, nodes, simTime, setSpeed, play, pause, waitForNodes, term, inspectorField, scrubTo,
} from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const leaders = (ns) => ns.filter((n) => n.role === 'leader');

async function freshRaft() {
  const page = await openPage(context, '#lab=raft');
  await page.getByTestId('canvas').waitFor();
  await setSpeed(page, '1/2×');
  return page;
}

test('the default Raft lab plays and elects a leader', async () => {
  const page = await freshRaft();
  assert.equal((await nodes(page)).length, 5);
  assert.equal(leaders(await nodes(page)).length, 0, 'nobody leads before anything ran');
  await play(page);
  const ns = await waitForNodes(page, (ns) => leaders(ns).length === 1, 'a leader');
  assert.ok(term(leaders(ns)[0]) >= 1);
  await screenshot(page, 'raft-elected');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('crashing the leader through the UI leads to a new leader', async () => {
  const page = await freshRaft();
  await play(page);
  const before = leaders(await waitForNodes(page, (ns) => leaders(ns).length === 1, 'a first leader'))[0];
  await page.getByTestId(`node-${before.name}`).click();
  await page.getByTestId('crash').click();
  const crashed = (await nodes(page)).find((n) => n.name === before.name);
  assert.equal(crashed.status, 'down');
  const ns = await waitForNodes(
    page,
    (ns) => leaders(ns).some((n) => n.name !== before.name && term(n) > term(before)),
    'a new leader in a later term',
  );
  assert.ok(leaders(ns).every((n) => n.name !== before.name));
  await screenshot(page, 'raft-leader-crashed');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a partition drawn in the UI keeps the minority from committing', async () => {
  const page = await freshRaft();
  await play(page);
  const old = leaders(await waitForNodes(page, (ns) => leaders(ns).length === 1, 'a leader'))[0];
  // Let some entries commit, then cut the leader and one follower off from the other three.
  await page.waitForTimeout(1500);
  await pause(page);
  const follower = (await nodes(page)).find((n) => n.name !== old.name);
  await page.getByTestId(`node-${old.name}`).click({ modifiers: ['Shift'] });
  await page.getByTestId(`node-${follower.name}`).click({ modifiers: ['Shift'] });
  await page.getByTestId('partition').click();
  const cut = await nodes(page);
  assert.equal(new Set(cut.map((n) => n.group)).size, 2, 'two sides');
  await page.getByTestId(`node-${old.name}`).click();
  const frozen = Number(await inspectorField(page, 'commit index'));
  await play(page);
  const after = await waitForNodes(
    page,
    (ns) => leaders(ns).some((n) => n.name !== old.name && n.name !== follower.name),
    'a majority-side leader',
  );
  await page.waitForTimeout(1500);
  await pause(page);
  assert.equal(Number(await inspectorField(page, 'commit index')), frozen, 'the minority leader committed nothing');
  const still = (await nodes(page)).find((n) => n.name === old.name);
  assert.equal(still.role, 'leader', 'it still believes it leads');
  const majority = leaders(after).find((n) => n.name !== old.name);
  assert.ok(term(majority) > term(old));
  await screenshot(page, 'raft-partition');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('scrubbing back and forward shows the same state as before', async () => {
  const page = await freshRaft();
  await setSpeed(page, '1×');
  await play(page);
  await waitForNodes(page, (ns) => leaders(ns).length === 1, 'a leader');
  await page.waitForTimeout(1500);
  await pause(page);
  const end = await simTime(page);
  await scrubTo(page, Math.floor(end / 2));
  const middle = await simTime(page);
  const then = await nodes(page);
  assert.ok(middle < end);
  await scrubTo(page, end);
  assert.equal(await simTime(page), end);
  await scrubTo(page, middle);
  assert.equal(await simTime(page), middle);
  assert.deepEqual(await nodes(page), then, 'the same picture at the same moment');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('keyboard: space plays and pauses, arrows step, ? shows help', async () => {
  const page = await freshRaft();
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  const t0 = await simTime(page);
  await page.keyboard.press('ArrowRight');
  const t1 = await simTime(page);
  assert.ok(t1 > t0, 'a step moves time forward');
  await page.keyboard.press(' ');
  assert.equal(await page.getByTestId('play-pause').getAttribute('aria-pressed'), 'true');
  await page.keyboard.press(' ');
  assert.equal(await page.getByTestId('play-pause').getAttribute('aria-pressed'), 'false');
  await page.keyboard.press('?');
  await page.getByTestId('help').waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await page.getByTestId('help').count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the history tab checks what the clients saw: Raft is linearizable', async () => {
  const page = await openPage(context, '#lab=raft&preset=partition');
  await page.getByTestId('canvas').waitFor();
  await pause(page);
  for (let i = 0; i < 3; i++) await page.getByTestId('next-chapter').click();
  await page.getByTestId('tab-history').click();
  await page.getByTestId('check-history').click();
  await page.getByTestId('verdict-linearizable').waitFor();
  assert.equal(await page.getByTestId('verdict-linearizable').getAttribute('data-state'), 'holds');
  assert.equal(await page.getByTestId('verdict-sequential').getAttribute('data-state'), 'holds');
  assert.match(await page.getByTestId('stale-reads').textContent(), /^0 stale reads/);
  assert.ok(await page.locator('[data-testid^="op-"]').count() > 5, 'the history chart shows operations');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('absurd settings are refused with a reason and the run is kept', async () => {
  const page = await freshRaft();
  await page.getByTestId('step').click();
  const before = await simTime(page);
  await page.getByTestId('tab-parameters').click();
  await page.getByTestId('setting-latency-max').fill('99999999');
  await page.getByTestId('apply-settings').click();
  // Said at the field, in its words and unit, and the value stays there.
  const error = page.getByTestId('setting-latency-max-error');
  await error.waitFor();
  assert.match(await error.textContent(), /Latency max must be a number from 0 to 60000 ms \(not “99999999”\)/);
  assert.equal(await page.getByTestId('setting-latency-max').inputValue(), '99999999');
  assert.equal(await simTime(page), before, 'the run is untouched');
  // A lab parameter out of its range is refused at its own field, in its words and unit.
  await page.getByTestId('param-heartbeat_ms').fill('0');
  await page.getByTestId('param-heartbeat_ms').press('Tab');
  await page.getByTestId('param-heartbeat_ms-error').waitFor();
  assert.match(await page.getByTestId('param-heartbeat_ms-error').textContent(), /Heartbeat interval takes a whole number from \d+ ms to \d+ ms/);
  assert.equal(await simTime(page), before, 'the run is untouched');
  assert.equal((await nodes(page)).length, 5);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a parameter typed while the run plays takes effect, and the field shows the value in force', async () => {
  const page = await freshRaft();
  await page.getByTestId('tab-parameters').click();
  await play(page);
  const field = page.getByTestId('param-heartbeat_ms');
  await field.fill('70');
  await page.waitForTimeout(200); // several frames re-render the page meanwhile
  await field.press('Tab');
  await page.waitForFunction(() =>
    /heartbeat_ms set to 70/.test(document.querySelector('[data-testid=live-region]')?.textContent ?? ''));
  assert.equal(await page.getByTestId('param-heartbeat_ms').inputValue(), '70');
  await page.getByTestId('param-heartbeat_ms').fill('0');
  await page.getByTestId('param-heartbeat_ms').press('Tab');
  await page.getByTestId('param-heartbeat_ms-error').waitFor();
  await page.waitForTimeout(200); // frames re-render the page meanwhile
  assert.equal(await page.getByTestId('param-heartbeat_ms').inputValue(), '0', 'a refused value stays where it was typed, marked');
  assert.equal(await page.getByTestId('param-heartbeat_ms').getAttribute('aria-invalid'), 'true');
  assert.doesNotMatch(await page.getByTestId('live-region').textContent(), /set to 0/, 'and is not applied');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a pause length typed in the fault toolbar while the run plays is the one applied', async () => {
  const page = await freshRaft();
  await play(page);
  await page.getByTestId('node-S2').click();
  const field = page.getByLabel('Pause length in milliseconds');
  await field.fill('1234');
  await page.waitForTimeout(200); // frames re-render the toolbar meanwhile
  assert.equal(await field.inputValue(), '1234');
  await pause(page); // so later narration does not replace the announcement
  await page.getByTestId('pause-node').click();
  await page.waitForFunction(() =>
    /S2 paused for 1\.234 s/.test(document.querySelector('[data-testid=live-region]')?.textContent ?? ''));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('nothing is drawn or simulated while the tab is hidden or the canvas is off-screen', async () => {
  const page = await freshRaft();
  await play(page);
  await page.waitForTimeout(300);
  const setHidden = (hidden) => page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await setHidden(true);
  await page.waitForTimeout(100);
  const hiddenAt = await simTime(page);
  await page.waitForTimeout(600);
  assert.equal(await simTime(page), hiddenAt, 'no frames while hidden');
  await setHidden(false);
  await page.waitForTimeout(400);
  assert.ok(await simTime(page) > hiddenAt, 'frames resume when visible');
  // Scroll the canvas out of view in a short window.
  await page.setViewportSize({ width: 1400, height: 300 });
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.waitForTimeout(300);
  const offAt = await simTime(page);
  await page.waitForTimeout(600);
  assert.equal(await simTime(page), offAt, 'no frames while the canvas is off-screen');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(400);
  assert.ok(await simTime(page) > offAt, 'frames resume when it scrolls back');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('with reduced motion a guided preset waits for play instead of starting by itself', async () => {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (err) => page.errors.push(err.message));
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(new URL('#lab=raft&preset=election', process.env.FAILSCOPE_URL ?? 'http://127.0.0.1:8080/').href);
  await page.getByTestId('canvas').waitFor();
  await page.waitForTimeout(400);
  assert.equal(await page.getByTestId('play-pause').getAttribute('aria-pressed'), 'false');
  assert.equal(await simTime(page), 0);
  await page.emulateMedia({ reducedMotion: 'no-preference' });
  await page.goto('about:blank');
  await page.goto(new URL('#lab=raft&preset=election', process.env.FAILSCOPE_URL ?? 'http://127.0.0.1:8080/').href);
  await page.getByTestId('canvas').waitFor();
  await page.waitForTimeout(400);
  assert.ok(await simTime(page) > 0, 'without the preference the preset plays at once');
  assert.deepEqual(page.errors, []);
  await page.close();
});
