// The lease-fencing lab through the page: every preset played to its end, with the result
// it exists to show visible in the Invariants tab, the event log or the pictures. One
// browser for the file; each preset is played once, at 20× (the longest is 14 s).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot, setSpeed, play } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

async function played(preset, check) {
  const page = await openPage(context, `#lab=lease-fencing&preset=${preset}`);
  await page.getByTestId('narration').waitFor({ timeout: 20_000 });
  await setSpeed(page, '20×');
  await play(page);
  await page.getByTestId('preset-ended').waitFor({ timeout: 30_000 });
  await check(page);
  await screenshot(page, `lease-fencing-${preset}`);
  assert.deepEqual(page.errors, []);
  await page.close();
}

/** The Invariants tab's state of each check: [fenced storage, one writer, two holders]. */
async function states(page) {
  await page.getByTestId('tab-invariants').click();
  return Promise.all([0, 1, 2].map((i) => page.getByTestId(`invariant-${i}`).getAttribute('data-state')));
}

async function logHas(page, text) {
  await page.getByTestId('tab-event-log').click();
  // The event log is a chunk of its own: wait for it (and the line) to arrive.
  const line = page.getByTestId('event-log').locator('li', { hasText: text });
  await line.first().waitFor({ timeout: 10_000 });
  return line.count();
}

const interleaved = async (page) => {
  const caption = await page.getByTestId('picture-storage').getByTestId('picture-caption').textContent();
  return Number(caption.match(/(\d+) taken after a higher token/)[1]);
};

test('the seeds\' timeline without fencing: client 1\'s late write corrupts storage', async () => {
  await played('seeds-timeline', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'happened', 'happened']);
    assert.equal(await interleaved(page), 1);
    const lanes = page.getByTestId('picture-leases');
    await lanes.waitFor();
    assert.match(await lanes.textContent(), /believed held, expired|S1/);
  });
});

test('the seeds\' timeline with fencing: “stale token 33 < 34”', async () => {
  await played('seeds-timeline-fenced', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'not seen', 'happened']);
    assert.ok(await logHas(page, 'stale token 33 < 34') > 0, 'the refusal is in the event log');
    assert.equal(await interleaved(page), 0);
  });
});

for (const preset of ['clock-drift', 'clock-jump', 'redlock']) {
  test(`${preset}: a client acts on an expired lease and storage takes it`, async () => {
    await played(preset, async (page) => {
      assert.deepEqual(await states(page), ['holds', 'happened', 'happened']);
      assert.ok(await interleaved(page) > 0);
    });
  });
}

test('a monotonic clock ignores the step back', async () => {
  await played('clock-jump-monotonic', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'not seen', 'not seen']);
  });
});

test('Redlock with fencing: the lock fails, storage does not', async () => {
  await played('redlock-fenced', async (page) => {
    assert.deepEqual(await states(page), ['holds', 'not seen', 'happened']);
    assert.ok(await logHas(page, 'stale token 33 < 34') > 0);
  });
});
