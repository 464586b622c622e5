// The split-brain lab through the page: every preset played to its end, with the result it
// exists to show visible in the Invariants tab, the event log, the storage picture or on
// the servers themselves. One browser for the file; each preset is played once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, nodes, setSpeed, play } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

/** Open a preset, play it to its end at 10×, and hand the page to `check`. */
async function played(preset, check) {
  const page = await openPage(context, `#lab=split-brain&preset=${preset}`);
  await page.getByTestId('narration').waitFor({ timeout: 20_000 });
  await setSpeed(page, '10×');
  await play(page);
  await page.getByTestId('preset-ended').waitFor({ timeout: 30_000 });
  await check(page);
  await screenshot(page, `split-brain-${preset}`);
  assert.deepEqual(page.errors, []);
  await page.close();
}

async function invariantState(page, index) {
  await page.getByTestId('tab-invariants').click();
  return page.getByTestId(`invariant-${index}`).getAttribute('data-state');
}

async function storageCaption(page) {
  return page.getByTestId('picture-storage').getByTestId('picture-caption').textContent();
}

const counts = (caption) => {
  const m = caption.match(/(\d+) taken, (\d+) refused, (\d+) taken after a higher token/);
  return { taken: Number(m[1]), refused: Number(m[2]), interleaved: Number(m[3]) };
};

async function logHas(page, text) {
  await page.getByTestId('tab-event-log').click();
  // The event log is a chunk of its own: wait for it (and the line) to arrive.
  const line = page.getByTestId('event-log').locator('li', { hasText: text });
  await line.first().waitFor({ timeout: 10_000 });
  return line.count();
}

test('no quorum: both sides write and storage takes both', async () => {
  await played('no-quorum', async (page) => {
    assert.equal(await invariantState(page, 2), 'happened', 'two writers at once');
    const c = counts(await storageCaption(page));
    assert.ok(c.interleaved > 0 && c.refused === 0, JSON.stringify(c));
    await page.getByTestId('picture-leaders').waitFor();
  });
});

test('majority quorum: the minority leader steps down and nobody writes twice', async () => {
  await played('majority-quorum', async (page) => {
    assert.equal(await invariantState(page, 0), 'holds');
    assert.equal(await invariantState(page, 2), 'not seen');
    assert.equal(counts(await storageCaption(page)).interleaved, 0);
    assert.ok(await logHas(page, 'S1 steps down from term 1: it has heard from only 2 of 5') > 0);
  });
});

test('fencing: the old leader\'s write is refused with “stale token 1 < 2”', async () => {
  await played('fencing', async (page) => {
    assert.ok(await logHas(page, 'stale token 1 < 2') > 0, 'the refusal is in the event log');
    const c = counts(await storageCaption(page));
    assert.ok(c.refused >= 1 && c.interleaved === 0, JSON.stringify(c));
    assert.equal(await invariantState(page, 1), 'holds');
  });
});

test('STONITH: the old side is powered off before the new leader writes', async () => {
  await played('stonith', async (page) => {
    const ns = await nodes(page);
    for (const name of ['S1', 'S2']) {
      assert.equal(ns.find((n) => n.name === name).role, 'powered off', name);
    }
    assert.equal(counts(await storageCaption(page)).interleaved, 0);
  });
});

test('a witness lets two servers survive losing one', async () => {
  await played('witness', async (page) => {
    assert.equal((await nodes(page)).find((n) => n.name === 'S3').role, 'witness');
    assert.ok(await logHas(page, 'S2 leads term 2 with the votes of S2, S3') > 0);
  });
});

test('an even split: nobody can write, and the page says so', async () => {
  await played('even-split', async (page) => {
    assert.equal(await invariantState(page, 3), 'happened');
    assert.equal(await invariantState(page, 0), 'holds');
  });
});
