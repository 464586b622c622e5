// The cache-stampede lab through the page: every preset played to its end, with what it
// exists to show read off the database-load and latency pictures, the servers and the
// Invariants tab. One browser for the file; each preset is played once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, playPreset, invariantStates, nodes } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const played = (preset, check) => playPreset(context, 'cache-stampede', preset, '5×', check);

async function caption(page, picture) {
  const frame = page.getByTestId(`picture-${picture}`);
  await frame.waitFor({ timeout: 20_000 });
  return frame.getByTestId('picture-caption').textContent();
}

/** The database's peak load (running + queued) and the clients' p99 latency and stale count. */
async function figures(page) {
  const load = await caption(page, 'database-load');
  const latency = await caption(page, 'latency');
  return {
    peak: Number(load.match(/Peak so far: (\d+)/)[1]),
    p99: Number(latency.match(/p99 so far (\d+) ms/)[1]),
    stale: Number(latency.match(/(\d+) stale responses/)[1]),
  };
}

/** [one regeneration in flight, acknowledged writes reach the database, stale read]. */
const states = (page) => invariantStates(page, 3);

test('no protection: the herd queues at the database', async () => {
  await played('herd', async (page) => {
    const f = await figures(page);
    assert.ok(f.peak >= 15, `peak ${f.peak}`);
    assert.ok(f.p99 >= 50, `p99 ${f.p99}`);
    assert.equal((await nodes(page)).find((n) => n.name === 'S1').role, 'database');
  });
});

test('a lock: one recomputation, readers wait for it', async () => {
  await played('lock', async (page) => {
    const f = await figures(page);
    assert.equal(f.peak, 1);
    assert.ok(f.p99 >= 50 && f.p99 < 150, `p99 ${f.p99}`);
    assert.deepEqual(await states(page), ['holds', 'not seen', 'not seen']);
  });
});

test('a crashed lock holder: everyone waits for the lock TTL', async () => {
  await played('lock-holder-crash', async (page) => {
    assert.equal((await nodes(page)).find((n) => n.name === 'S4').role, 'crashed');
    const f = await figures(page);
    assert.ok(f.p99 >= 450, `p99 ${f.p99}`);
  });
});

test('XFetch: renewed before expiry, nobody waits, at 200 and 1,000 clients', async () => {
  await played('xfetch', async (page) => {
    const f = await figures(page);
    assert.equal(f.p99, 2);
    assert.ok(f.peak <= 4, `peak ${f.peak}`);
    await page.getByTestId('picture-recomputations').waitFor();
  });
  await played('xfetch-fleet', async (page) => {
    assert.equal((await figures(page)).p99, 2);
  });
});

test('stale-while-revalidate: stale answers at cache speed, one refresh', async () => {
  await played('stale-while-revalidate', async (page) => {
    const f = await figures(page);
    assert.equal(f.peak, 1);
    assert.equal(f.p99, 2);
    assert.ok(f.stale > 0);
  });
});

test('coalescing: one fetch per app server', async () => {
  await played('coalescing', async (page) => {
    const f = await figures(page);
    assert.ok(f.peak <= 3, `peak ${f.peak}`);
    assert.equal((await states(page))[0], 'holds');
  });
});

test('write policies: cache-aside reads stale, write-through does not, write-behind loses a write', async () => {
  await played('cache-aside', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'not seen', 'happened']);
  });
  await played('write-through', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'not seen', 'not seen']);
  });
  await played('write-behind-crash', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'happened', 'not seen']);
    assert.match(await caption(page, 'writes'), /1 lost with the cache/);
    assert.equal((await nodes(page)).find((n) => n.name === 'S2').role, 'crashed');
  });
});
