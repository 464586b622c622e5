// The system-models lab through the page: every preset played to its end, with what it
// exists to show visible in the Invariants tab (termination reached or not, agreement
// kept or lost), the pictures (rounds on a timeline, undecided nodes over time) and the
// event log (the adversary's reasons). One browser for the file; each preset played once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, playPreset, invariantStates, logLines } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const SAFE = ['holds', 'holds', 'holds'];

const played = (preset, speed, check) => playPreset(context, 'system-models', preset, speed, check);

/** [agreement, validity, adversary, termination, too few rounds]. */
const states = (page) => invariantStates(page, 5);

async function undecided(page) {
  const picture = page.getByTestId('picture-undecided');
  await picture.waitFor();
  return picture.textContent();
}

test('synchronous: decided within a few bounds', async () => {
  await played('synchronous', '1×', async (page) => {
    assert.deepEqual(await states(page), [...SAFE, 'seen', 'not seen']);
    assert.match(await undecided(page), /Undecided: 0 of 3/);
    await page.getByTestId('picture-rounds').waitFor();
  });
});

test('partial synchrony: undecided until GST, decided after', async () => {
  await played('partial-synchrony', '10×', async (page) => {
    assert.deepEqual(await states(page), [...SAFE, 'seen', 'not seen']);
    assert.match(await undecided(page), /Undecided: 0 of 3/);
    assert.match(await undecided(page), /GST/);
  });
});

test('the adversary: a minute with no crash and no decision, its reasons in the log', async () => {
  await played('adversary', '100×', async (page) => {
    assert.deepEqual(await states(page), [...SAFE, 'not yet', 'not seen']);
    assert.match(await undecided(page), /Undecided: 3 of 3/);
    assert.ok(await logLines(page, 'it would have decided') > 0);
  });
});

test('FloodSet with f + 1 rounds agrees', async () => {
  await played('floodset-f-plus-1', '1×', async (page) => {
    assert.deepEqual(await states(page), [...SAFE, 'seen', 'not seen']);
    assert.ok(await logLines(page, 'S1 crashes in round 1 mid-broadcast') > 0);
    assert.ok(await logLines(page, 'S4 decides 0') > 0);
  });
});

test('FloodSet with f rounds: two correct nodes disagree', async () => {
  await played('floodset-f-rounds', '1×', async (page) => {
    assert.deepEqual(await states(page), [...SAFE, 'seen', 'happened']);
    assert.ok(await logLines(page, 'S2 decides 0') > 0);
    assert.ok(await logLines(page, 'S3 decides 1') > 0);
    const rounds = await page.getByTestId('picture-rounds').textContent();
    assert.match(rounds, /Rounds on a timeline/);
  });
});

test('the Parameters tab links to the Byzantine generals lab, and the link opens it', async () => {
  const page = await openPage(context, '#lab=system-models');
  await page.getByTestId('canvas').waitFor({ timeout: 20_000 });
  await page.getByTestId('tab-parameters').click();
  const link = page.getByTestId('related-byzantine');
  await link.waitFor({ timeout: 20_000 });
  assert.match(await link.textContent(), /Byzantine/);
  await link.click();
  await page.getByRole('heading', { level: 2, name: /Byzantine/ }).waitFor({ timeout: 20_000 });
  assert.deepEqual(page.errors, []);
  await page.close();
});
