// The resilience lab through the page: every preset played to its end, with what it exists
// to show read off the pictures' captions, the servers and the Invariants tab. One browser
// for the file; each preset is played once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, playPreset, invariantStates, nodes } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const played = (preset, check) => playPreset(context, 'resilience', preset, '50×', check);

async function caption(page, picture) {
  const frame = page.getByTestId(`picture-${picture}`);
  await frame.waitFor({ timeout: 20_000 });
  return frame.getByTestId('picture-caption').textContent();
}

/** [probe quota, goodput recovers, a request for healthy B failed]. */
const states = (page) => invariantStates(page, 3);

const recovered = async (page) => !/Recovered after the trigger: not yet/.test(await caption(page, 'goodput'));

test('the trigger alone: goodput returns when A does', async () => {
  await played('trigger', async (page) => {
    assert.ok(await recovered(page));
    assert.deepEqual(await states(page), ['holds', 'seen', 'not seen']);
    assert.equal((await nodes(page)).find((n) => n.name === 'S5').role, 'dependency');
  });
});

test('metastable: the retry storm keeps goodput down; a budget or a breaker end it', async () => {
  await played('metastable', async (page) => {
    assert.ok(!(await recovered(page)));
    assert.deepEqual(await states(page), ['holds', 'not yet', 'not seen']);
    const load = await caption(page, 'dependency-load');
    assert.ok(Number(load.match(/Peak at A so far: (\d+)/)[1]) > 1_000, load);
    // Goodput against load: a path in three phases that ends away from where it began.
    const path = page.getByTestId('picture-hysteresis');
    assert.equal(await path.locator('polyline.pic-line').count(), 3);
    assert.equal(await path.locator('.pic-xy-arrow').count(), 3);
    const end = await path.locator('.pic-point.highlight title').textContent();
    assert.match(end, /^after it clears, /);
  });
  await played('metastable-budget', async (page) => {
    assert.ok(await recovered(page));
  });
  await played('metastable-breaker', async (page) => {
    assert.ok(await recovered(page));
    assert.match(await caption(page, 'breaker'), /half-open lets 3 probe calls through/);
    assert.equal((await states(page))[0], 'holds');
  });
});

test('backoff without and with full jitter', async () => {
  const refused = {};
  for (const preset of ['backoff', 'full-jitter']) {
    await played(preset, async (page) => {
      const load = await caption(page, 'dependency-load');
      refused[preset] = Number(load.match(/A refused (\d+) calls/)[1]);
    });
  }
  // Retries arriving together are refused together; spread out, A serves more of them.
  assert.ok(refused.backoff > refused['full-jitter'], JSON.stringify(refused));
});

test('a shared pool fails B; bulkheads confine the slow dependency', async () => {
  await played('shared-pool', async (page) => {
    assert.equal((await states(page))[2], 'happened');
  });
  await played('bulkheads', async (page) => {
    assert.equal((await states(page))[2], 'not seen');
    assert.match(await caption(page, 'pools'), /its own 20 workers/);
  });
});

test('health checks: a deep liveness check restarts, a shallow one does not; readiness routes around a crash', async () => {
  await played('deep-liveness', async (page) => {
    const balancer = (await nodes(page)).find((n) => n.name === 'S2');
    assert.equal(balancer.role, 'load balancer');
  });
  await played('shallow-liveness', async () => {});
  await played('crash', async () => {});
  await played('readiness', async (page) => {
    assert.ok(await recovered(page));
  });
});

test('rollouts: canary rolled back, all at once not, blue-green and kill switch undo it', async () => {
  await played('canary', async (page) => {
    assert.ok(await recovered(page));
  });
  await played('all-at-once', async (page) => {
    assert.ok(!(await recovered(page)));
  });
  await played('blue-green', async (page) => {
    assert.ok(await recovered(page));
  });
  await played('kill-switch', async (page) => {
    assert.ok(await recovered(page));
  });
});

test('the cascade, undefended, with each defence alone, and with all of them', async () => {
  await played('cascade', async (page) => {
    assert.equal((await states(page))[2], 'happened');
    // One comparison per defence and one with all of them.
    assert.equal(await page.getByTestId('compare-link').count(), 4);
    // Four counterparts: a menu that names each, not four identical buttons.
    await page.getByTestId('compare-menu').locator('summary').click();
    const names = await page.getByTestId('compare-link').allTextContents();
    assert.equal(new Set(names.map((n) => n.trim())).size, 4, names.join(' | '));
  });
  for (const preset of ['cascade-bulkheads', 'cascade-breaker', 'cascade-shallow-liveness']) {
    await played(preset, async (page) => {
      assert.ok(await recovered(page));
    });
  }
  await played('cascade-defended', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'seen', 'not seen']);
    await page.getByTestId('compare-link').first().waitFor();
  });
});
