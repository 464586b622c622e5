// The deadlock lab through the page: every preset played to its end, with what it exists
// to show read off the Invariants tab, the event log and the wait-for graphs. One browser
// for the file; each preset is played once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, setSpeed, play } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

async function played(preset, check, speed = '5×') {
  const page = await openPage(context, `#lab=deadlock&preset=${preset}`);
  await page.getByTestId('narration').waitFor({ timeout: 20_000 });
  await setSpeed(page, speed);
  await play(page);
  await page.getByTestId('preset-ended').waitFor({ timeout: 30_000 });
  await check(page);
  await screenshot(page, `deadlock-${preset}`);
  assert.deepEqual(page.errors, []);
  await page.close();
}

/** [probes report only real deadlocks, no deadlock lasts forever, phantom, deadlock]. */
async function states(page) {
  await page.getByTestId('tab-invariants').click();
  return Promise.all([0, 1, 2, 3].map((i) => page.getByTestId(`invariant-${i}`).getAttribute('data-state')));
}

async function logCount(page, text) {
  await page.getByTestId('tab-event-log').click();
  const log = page.getByTestId('event-log');
  await log.locator('li').first().waitFor({ timeout: 10_000 });
  return log.locator('li', { hasText: text }).count();
}

test('two sites, crossed: probes find the cycle and T2 gives way', async () => {
  await played('two-sites', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'holds', 'not seen', 'happened']);
    assert.equal(await logCount(page, 'S2 finds a deadlock: T2 → T1 → T2; victim T2'), 1);
    await page.getByTestId('picture-wait-for').waitFor();
  });
});

test('a ring over three sites is reported once', async () => {
  await played('three-sites', async (page) => {
    assert.equal(await logCount(page, 'finds a deadlock'), 1);
    assert.equal(await logCount(page, 'S3 finds a deadlock: T3 → T1 → T2 → T3'), 1);
  });
});

test('a transaction waiting into a cycle is not reported', async () => {
  await played('waits-into-cycle', async (page) => {
    assert.equal(await logCount(page, 'S2 finds a deadlock: T2 → T1 → T2'), 1);
    assert.equal(await logCount(page, 'T3 aborts'), 0);
  });
});

test('the central detector finds the ring from the sites\' reports', async () => {
  await played('central', async (page) => {
    assert.equal(await logCount(page, 'S1 finds a deadlock: T1 → T2 → T3 → T1'), 1);
    await page.getByTestId('picture-detector').waitFor();
  });
});

test('stale edges make a phantom deadlock', async () => {
  await played('phantom', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'holds', 'happened', 'not seen']);
    assert.equal(await logCount(page, 'T2 aborts: it is the deadlock\'s victim'), 1);
  });
});

test('timeouts abort both', async () => {
  await played('timeout', async (page) => {
    assert.ok(await logCount(page, 'waited too long for a lock') >= 2);
  });
});

test('prevention: lock order, wait-die and wound-wait', async () => {
  await played('lock-order', async (page) => {
    assert.equal((await states(page))[3], 'not seen');
    assert.equal(await logCount(page, 'aborts'), 0);
  });
  await played('wait-die', async (page) => {
    assert.equal((await states(page))[3], 'not seen');
    assert.ok(await logCount(page, 'so it dies (wait-die)') >= 1);
  });
  await played('wound-wait', async (page) => {
    assert.equal((await states(page))[3], 'not seen');
    assert.ok(await logCount(page, 'wounds it (wound-wait)') >= 1);
  });
});

test('random transactions: deadlocks found, none false, none stuck', async () => {
  await played('random', async (page) => {
    const s = await states(page);
    assert.deepEqual(s.slice(0, 2), ['holds', 'holds']);
    assert.ok(await logCount(page, 'finds a deadlock') >= 1);
  }, '10×');
});
