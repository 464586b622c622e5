// The streams lab through the page: every preset played to its end, with what it exists
// to show read off the tally of effects, the partitions picture, the lag chart and the
// Invariants tab. One browser for the file; each preset is played once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, playPreset, invariantStates, logLines } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const played = (preset, check) => playPreset(context, 'streams', preset, '5×', check);

async function caption(page, picture) {
  const frame = page.getByTestId(`picture-${picture}`);
  await frame.waitFor({ timeout: 20_000 });
  return frame.getByTestId('picture-caption').textContent();
}

/** What became of the messages, from the tally's caption. */
async function tally(page) {
  const text = await caption(page, 'effects');
  const m = text.match(/Of (\d+) messages produced: (\d+) took effect once, (\d+) twice or more, (\d+) were lost, (\d+) went/);
  assert.ok(m, text);
  const [produced, once, twice, lost, dead] = m.slice(1).map(Number);
  return { produced, once, twice, lost, dead };
}

/** [per-key order, no loss, each effect once, key order lost, message lost, duplicate]. */
const states = (page) => invariantStates(page, 6);

test('a log keeps each key in order; a queue and a keyless log do not', async () => {
  await played('log', async (page) => {
    assert.deepEqual(await tally(page), { produced: 60, once: 60, twice: 0, lost: 0, dead: 0 });
    assert.deepEqual(await states(page), ['holds', 'holds', 'holds', 'not seen', 'not seen', 'not seen']);
    assert.match(await page.getByTestId('picture-partitions').textContent(), /P0/);
    await caption(page, 'lag');
  });
  await played('queue', async (page) => {
    assert.equal((await tally(page)).once, 60);
    assert.equal((await states(page))[3], 'happened');
  });
  await played('no-keys', async (page) => {
    assert.equal((await states(page))[3], 'happened');
  });
});

test('a crash: at-most-once loses, at-least-once duplicates, idempotent does neither', async () => {
  await played('at-most-once', async (page) => {
    const t = await tally(page);
    assert.deepEqual([t.twice, t.lost], [0, 1]);
    assert.equal((await states(page))[4], 'happened');
  });
  await played('at-least-once', async (page) => {
    const t = await tally(page);
    assert.deepEqual([t.twice, t.lost], [1, 0]);
    assert.equal((await states(page))[5], 'happened');
  });
  await played('idempotent', async (page) => {
    assert.deepEqual(await tally(page), { produced: 60, once: 60, twice: 0, lost: 0, dead: 0 });
  });
});

test('a consumer joins: eager and cooperative rebalances', async () => {
  await played('eager-rebalance', async (page) => {
    assert.ok(await logLines(page, 'eager: every member gives up all its partitions') > 0);
    assert.match(await page.getByTestId('picture-lag').textContent(), /eager rebalance/);
  });
  await played('cooperative-rebalance', async (page) => {
    assert.ok(await logLines(page, 'cooperative: only the partitions that move') > 0);
  });
});

test('a poison message goes to the dead-letter queue; a log replays', async () => {
  await played('poison', async (page) => {
    assert.equal((await tally(page)).dead, 1);
    assert.ok(await logLines(page, 'dead-letter queue') > 0);
  });
  await played('replay', async (page) => {
    assert.ok(await logLines(page, 'read again from the start') > 0);
    assert.equal((await tally(page)).twice, 0);
  });
});
