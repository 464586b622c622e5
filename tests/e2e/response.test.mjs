// A big run while it plays: the page redraws its side and lower panels in turns (not all of
// them on every frame), so they must still move while the run plays, and every view must
// agree with the stage the moment the run is still. Also: speed keys and tab clicks during a
// fast run get their answer painted promptly. (The timings under a slowed CPU are figures of
// `cargo xtask bench`, tests/bench/response.bench.mjs, not pass/fail here.) One browser for
// the whole file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, pause, play, setSpeed, simTime } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

test('while a big run plays its panels keep moving, and once it is still they agree with the stage', async () => {
  const page = await openPage(context, '#lab=raft&preset=stress');
  await page.getByTestId('canvas').waitFor({ timeout: 30_000 });
  await pause(page);
  await setSpeed(page, '100×');
  await page.getByTestId('node-S1').click({ force: true });
  const inspector = page.getByTestId('inspector');
  const before = await inspector.textContent();
  await play(page);
  // The Inspector is redrawn in its turn while the run plays, not only when it stops.
  await page.waitForFunction((text) => {
    const el = document.querySelector('[data-testid="inspector"]');
    const button = document.querySelector('[data-testid="play-pause"]');
    return el && el.textContent !== text && button?.getAttribute('aria-pressed') === 'true';
  }, before, { timeout: 15_000 });
  await page.waitForTimeout(700);
  // Another tab while playing answers at once, with its panel.
  await page.getByTestId('tab-event-log').click();
  await page.getByTestId('event-log').waitFor({ timeout: 5_000 });
  await page.getByTestId('tab-inspector').click();
  await inspector.waitFor({ timeout: 5_000 });
  await pause(page);
  const now = await simTime(page);
  // Still: the node's headline on the stage and the Inspector's term are one number, and a
  // second look finds nothing left to redraw.
  const headline = await page.getByTestId('node-S1').getAttribute('data-headline');
  const term = await page.getByTestId('field-term').textContent();
  assert.equal(headline, `term ${term}`, 'the stage and the Inspector show the same term');
  const settled = await inspector.textContent();
  await page.waitForTimeout(300);
  assert.equal(await inspector.textContent(), settled, 'nothing changes once the run is still');
  assert.equal(await simTime(page), now);
  assert.deepEqual(page.errors, []);
  await page.close();
});
