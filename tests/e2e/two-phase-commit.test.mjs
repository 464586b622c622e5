// The two-phase-commit lab through the page: every preset played to its end, with what it
// exists to show read off the servers, the Invariants tab, the event log and the pictures.
// One browser for the file; each preset is played once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, nodes, setSpeed, play, logLines } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

async function played(preset, check, speed = '10×') {
  const page = await openPage(context, `#lab=two-phase-commit&preset=${preset}`);
  await page.getByTestId('narration').waitFor({ timeout: 20_000 });
  await setSpeed(page, speed);
  await play(page);
  await page.getByTestId('preset-ended').waitFor({ timeout: 30_000 });
  await check(page);
  await screenshot(page, `two-phase-commit-${preset}`);
  assert.deepEqual(page.errors, []);
  await page.close();
}

/** [commit only on unanimous yes, atomicity, blocked in doubt]. */
async function states(page) {
  await page.getByTestId('tab-invariants').click();
  return Promise.all([0, 1, 2].map((i) => page.getByTestId(`invariant-${i}`).getAttribute('data-state')));
}

async function logHas(page, text) {
  await page.getByTestId('tab-event-log').click();
  const line = page.getByTestId('event-log').locator('li', { hasText: text });
  await line.first().waitFor({ timeout: 10_000 });
  return line.count();
}

async function headlines(page) {
  const ns = await nodes(page);
  return ['S2', 'S3', 'S4'].map((name) => ns.find((n) => n.name === name).headline);
}

async function lockHoldText(page) {
  const bars = page.getByTestId('picture-lock-hold');
  await bars.waitFor();
  return bars.textContent();
}

test('everyone votes yes: all three commit', async () => {
  await played('all-yes', async (page) => {
    assert.deepEqual(await headlines(page), Array(3).fill('T1: committed'));
    assert.deepEqual(await states(page), ['holds', 'holds', 'not seen']);
    await page.getByTestId('picture-locks').waitFor();
  });
});

test('one votes no: all three abort', async () => {
  await played('one-no', async (page) => {
    assert.deepEqual(await headlines(page), Array(3).fill('T1: aborted'));
    assert.ok(await logHas(page, 'S3 votes no: S1 aborts T1') > 0);
  });
});

test('the coordinator fails after the votes: blocked in doubt, then presumed abort', async () => {
  await played('coordinator-fails', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'holds', 'happened']);
    assert.ok(await logHas(page, 'T1 has no decision, so it aborts') > 0);
    assert.deepEqual(await headlines(page), Array(3).fill('T1: aborted'));
    assert.match(await lockHoldText(page), /after votes/);
  });
});

test('mid-send: the others learn “commit” from S2', async () => {
  await played('coordinator-fails-mid-send', async (page) => {
    assert.ok(await logHas(page, 'S3 commits T1, learned from S2') > 0);
    assert.deepEqual(await headlines(page), Array(3).fill('T1: committed'));
    assert.equal((await states(page))[2], 'not seen');
  });
});

test('mid-send without asking peers: blocked until the coordinator recovers', async () => {
  await played('mid-send-waiting', async (page) => {
    assert.equal((await states(page))[2], 'happened');
    assert.ok(await logHas(page, 'T1 was committed; it tells the participants again') > 0);
  });
});

test('a participant fails after voting yes and asks on restart', async () => {
  await played('participant-fails', async (page) => {
    assert.ok(await logHas(page, 'S3 restarts in doubt about T1') > 0);
    assert.deepEqual(await headlines(page), Array(3).fill('T1: committed'));
  });
});

test('crash-point sweep: one bar per crash point', async () => {
  await played('crash-point-sweep', async (page) => {
    const text = await lockHoldText(page);
    for (const point of ['before prepare', 'after prepare', 'after votes', 'mid-send', 'after send']) {
      assert.ok(text.includes(point), `${point} in ${text}`);
    }
    assert.deepEqual(await states(page), ['holds', 'holds', 'happened']);
  }, '20×');
});

test('three-phase commit: the coordinator fails and the participants terminate without it', async () => {
  await played('three-phase-coordinator-fails', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'holds', 'not seen']);
    assert.ok(await logLines(page, 'S2 aborts T1 as the recovery coordinator') > 0);
    assert.deepEqual(await headlines(page), Array(3).fill('T1: aborted'));
  });
});

test('three-phase commit under a partition: one side commits, the other aborts', async () => {
  await played('three-phase-partition', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'violated', 'not seen']);
    assert.ok(await logLines(page, 'S3 aborts T1 as the recovery coordinator') > 0);
    assert.deepEqual(await headlines(page), ['T1: committed', 'T1: aborted', 'T1: aborted']);
  });
});
