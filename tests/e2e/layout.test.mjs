// The lab page as a video player: on a desktop screen the picture, the narration, play/step/
// speed and the timeline are all on the first screen, with no page scroll, for every listed
// lab's guided scenarios; the lab's primary picture (the ring) sits beside the mesh; the side
// panel scrolls inside itself; narration of any length moves nothing; a phone has no
// horizontal overflow. One browser for the whole file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const SCREENS = [[1280, 800], [1440, 900]];
// One guided scenario per listed lab (the first; the ring's is the one with a primary picture).
const LESSONS = ['raft/election', 'hash-ring/add-node', 'replication/async-failover', 'failure-detection/crash'];
const ON_FIRST_SCREEN = ['canvas', 'narration', 'play-pause', 'step', 'speed', 'sim-time', 'scrubber', 'timeline'];

/** Each element's box, by test id (the first match), in viewport coordinates. */
async function boxes(page, ids) {
  return page.evaluate((ids) => Object.fromEntries(ids.map((id) => {
    const el = document.querySelector(`[data-testid="${id}"]`);
    const r = el?.getBoundingClientRect();
    return [id, r ? { top: r.top, bottom: r.bottom, left: r.left, right: r.right } : null];
  })), ids);
}

for (const [width, height] of SCREENS) {
  test(`at ${width}x${height} every lesson fits the first screen, like a video player`, async () => {
    const page = await openPage(context);
    await page.setViewportSize({ width, height });
    for (const lesson of LESSONS) {
      const [lab, preset] = lesson.split('/');
      await page.evaluate(([lab, preset]) => { location.hash = `lab=${lab}&preset=${preset}`; }, [lab, preset]);
      await page.locator(`[data-lab="${lab}"] [data-testid=narration]`).waitFor({ timeout: 20_000 });
      await page.getByTestId('play-pause').click(); // pause: the layout is what is measured
      await page.evaluate(() => window.scrollTo(0, 0));
      const at = await boxes(page, ON_FIRST_SCREEN);
      for (const id of ON_FIRST_SCREEN) {
        assert.ok(at[id], `${lesson}: ${id} is on the page`);
        assert.ok(at[id].top >= 0 && at[id].bottom <= height + 0.5,
          `${lesson} at ${width}x${height}: ${id} spans y=${Math.round(at[id].top)}..${Math.round(at[id].bottom)}, off the first screen`);
      }
      // The picture is the biggest thing on the first screen, not a thumbnail.
      assert.ok(at.canvas.bottom - at.canvas.top >= 0.35 * height, `${lesson}: the picture is ${Math.round(at.canvas.bottom - at.canvas.top)} px tall`);
      // The side panel scrolls inside itself: it ends with the player.
      const sidebar = await page.locator('.sidebar').boundingBox();
      assert.ok(sidebar.y + sidebar.height <= height + 0.5, `${lesson}: the side panel ends at ${Math.round(sidebar.y + sidebar.height)}`);
      if (lab === 'hash-ring') {
        const ring = await page.getByTestId('primary-pictures').boundingBox();
        assert.ok(ring && ring.y < at.canvas.bottom && ring.x >= at.canvas.right - 1,
          'the ring, the point of the lab, sits beside the mesh on the first screen');
      }
      if (width === 1280) await screenshot(page, `layout-${lab}-${width}x${height}`);
    }
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test('narration of any length, chapter after chapter, moves neither the timeline nor the picture', async () => {
  const page = await openPage(context, '#lab=raft&preset=leader-crash');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByTestId('narration').waitFor({ timeout: 20_000 });
  await page.getByTestId('play-pause').click();
  const before = await boxes(page, ['canvas', 'timeline', 'play-pause']);
  const texts = new Set();
  const count = async () => Number((await page.getByTestId('chapter-count').textContent()).split('/')[0]);
  while (await page.getByTestId('next-chapter').count()) {
    const was = await count();
    await page.getByTestId('next-chapter').click();
    assert.equal(await count(), was + 1, 'Next ▸ moves to the next chapter and counts it');
    texts.add(await page.getByTestId('narration-text').textContent());
    const now = await boxes(page, ['canvas', 'timeline', 'play-pause']);
    assert.deepEqual(now, before, 'nothing moved when the chapter changed');
  }
  assert.ok(texts.size >= 2, 'several chapters of different text were shown');
  await page.close();
});

test('a phone has no horizontal overflow, and the controls come before the side panel', async () => {
  const page = await openPage(context, '#lab=raft&preset=leader-crash');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId('narration').waitFor({ timeout: 20_000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
  const at = await boxes(page, ['play-pause', 'timeline']);
  const sidebar = await page.locator('.sidebar').boundingBox();
  assert.ok(at['play-pause'].bottom <= 844, 'play is on the first screen');
  assert.ok(at.timeline.bottom <= sidebar.y, 'the timeline comes before the side panel');
  await screenshot(page, 'layout-raft-390x844');
  await page.close();
});

test('the home page lists scenarios as real links, and a chapter waits for its moment', async () => {
  const page = await openPage(context);
  const link = page.getByTestId('preset-link-raft-partition');
  await link.waitFor({ timeout: 20_000 });
  assert.match(await link.getAttribute('href'), /#lab=raft&preset=partition$/, 'a link that opens in a new tab too');
  await link.click();
  await page.getByTestId('narration').waitFor({ timeout: 20_000 });
  await page.getByTestId('play-pause').click();
  // The first chapter ("the network splits") happens at 2 s: until then the card says what
  // the scenario is, not what has not happened yet.
  assert.match(await page.getByTestId('chapter-count').textContent(), /^0 \//);
  assert.doesNotMatch(await page.getByTestId('narration-text').textContent(), /splits/);
  await page.getByTestId('next-chapter').click();
  assert.match(await page.getByTestId('narration-text').textContent(), /splits/);
  assert.match(await page.getByTestId('chapter-count').textContent(), /^1 \//);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('free play starts with one line on what to try', async () => {
  const page = await openPage(context, '#lab=failure-detection');
  const hint = page.getByTestId('free-play-hint');
  await hint.waitFor({ timeout: 20_000 });
  assert.match(await hint.textContent(), /Click a server to crash/);
  const box = await hint.boundingBox();
  assert.ok(box.y + box.height <= 900, 'on the first screen');
  await page.close();
});

test('Space plays and pauses wherever the focus is, except in a text field', async () => {
  const page = await openPage(context, '#lab=raft');
  await page.getByTestId('canvas').waitFor({ timeout: 20_000 });
  const label = () => page.getByTestId('play-pause').getAttribute('aria-label');
  for (const id of ['step', 'speed', 'scrubber', 'tab-invariants']) {
    await page.getByTestId(id).focus();
    const before = await label();
    // The label changes on the next render: wait for it rather than read it at once.
    const becomes = (changed) => page.waitForFunction(([b, changed]) =>
      (document.querySelector('[data-testid=play-pause]').getAttribute('aria-label') !== b) === changed, [before, changed], { timeout: 5_000 });
    await page.keyboard.press('Space');
    await becomes(true).catch(() => {});
    assert.notEqual(await label(), before, `Space toggled play with the focus on ${id}`);
    await page.keyboard.press('Space');
    await becomes(false).catch(() => {});
    assert.equal(await label(), before, `and back, on ${id}`);
  }
  await page.getByTestId('seed').focus();
  const before = await label();
  await page.keyboard.press('Space');
  assert.equal(await label(), before, 'in the seed field Space is a character');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Escape closes the share menu; the end of a scenario says so and what to try next', async () => {
  const page = await openPage(context, '#lab=raft&preset=leader-crash');
  await page.getByTestId('narration').waitFor({ timeout: 20_000 });
  await page.getByTestId('share-button').click();
  await page.getByTestId('share-menu').waitFor({ timeout: 20_000 });
  await page.keyboard.press('Escape');
  await page.getByTestId('share-menu').waitFor({ state: 'detached', timeout: 5_000 });
  assert.equal(await page.getByTestId('preset-ended').count(), 0, 'not ended at the start');
  // Drag the timeline to its end.
  await page.getByTestId('scrubber').evaluate((el) => {
    el.value = el.max;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  const ended = page.getByTestId('preset-ended');
  await ended.waitFor({ timeout: 20_000 });
  assert.match(await ended.textContent(), /has ended.*new seed.*deliberate bug/s);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('timeline markers differ in shape as well as colour, and the legend matches them', async () => {
  const page = await openPage(context, '#lab=raft&preset=leader-crash');
  await page.getByTestId('timeline').waitFor({ timeout: 20_000 });
  const legend = await page.$$eval('.legend-row .swatch', (els) => els.map((e) => {
    const s = getComputedStyle(e);
    return { color: s.backgroundColor, radius: s.borderRadius, clip: s.clipPath };
  }));
  assert.equal(legend.length, 3);
  assert.equal(new Set(legend.map((l) => l.color)).size, 3, 'three colours in the legend');
  assert.equal(new Set(legend.map((l) => `${l.radius}|${l.clip}`)).size, 3, 'three shapes in the legend');
  assert.equal(await page.locator('.legend-row').textContent(), 'faultsmilestonesinvariant violations',
    'no lab-specific word (such as "elections") in a shared legend');
  await page.close();
});

test('click a server, then shift-click another: both are selected, and no page text is', async () => {
  const page = await openPage(context, '#lab=raft');
  await page.getByTestId('node-S1').waitFor({ timeout: 20_000 });
  await page.getByTestId('node-S1').click();
  await page.getByTestId('node-S2').click({ modifiers: ['Shift'] });
  const group = page.getByTestId('group-tools');
  await group.waitFor({ timeout: 5_000 });
  const text = await group.textContent();
  assert.match(text, /S1/);
  assert.match(text, /S2/);
  assert.equal(await page.evaluate(() => window.getSelection().toString()), '', 'the shift-click selected no text');
  await page.close();
});

test('an impossible server count stays in its field, marked, with the range in words; nothing restarts', async () => {
  const page = await openPage(context, '#lab=raft');
  await page.getByTestId('canvas').waitFor({ timeout: 20_000 });
  await page.getByTestId('tab-parameters').click();
  const servers = page.getByTestId('setting-nodes');
  await servers.waitFor({ timeout: 20_000 });
  const nodes = () => page.locator('[data-testid=canvas] [data-testid^="node-S"]').count();
  assert.equal(await nodes(), 5);
  await servers.fill('40');
  await page.getByTestId('apply-settings').click();
  const error = page.getByTestId('setting-nodes-error');
  await error.waitFor({ timeout: 5_000 });
  assert.match(await error.textContent(), /^Servers must be a whole number from \d+ to \d+ \(not “40”\)\.$/);
  assert.equal(await servers.inputValue(), '40', 'the value stays in the field');
  assert.equal(await servers.getAttribute('aria-invalid'), 'true');
  assert.equal(await nodes(), 5, 'the run was not restarted');
  await servers.fill('7');
  await page.getByTestId('apply-settings').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=canvas] [data-testid^="node-S"]').length === 7, null, { timeout: 20_000 });
  assert.equal(await page.getByTestId('setting-nodes-error').count(), 0);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the share menu and its error float over the page: nothing under the pointer moves', async () => {
  const page = await openPage(context, '#lab=raft&preset=leader-crash');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByTestId('narration').waitFor({ timeout: 20_000 });
  await page.getByTestId('play-pause').click();
  const ids = ['canvas', 'timeline', 'play-pause', 'narration'];
  const before = await boxes(page, ids);
  await page.getByTestId('share-button').click();
  await page.getByTestId('share-menu').waitFor();
  assert.deepEqual(await boxes(page, ids), before, 'the share menu moved nothing');
  await page.getByTestId('import-scenario').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"lab": 7}') });
  await page.getByTestId('share-status').filter({ hasText: 'cannot be opened' }).waitFor();
  assert.deepEqual(await boxes(page, ids), before, 'the error message moved nothing');
  await page.keyboard.press('Escape');
  assert.deepEqual(await boxes(page, ids), before);
  await page.close();
});
