// The <failscope-lab> tag (dist/embed.js) in an article: an embed is made only when it
// comes near the screen, the host page drives it with play()/pause()/seek() and hears
// ready/statechange events, and its attributes reach the app: theme, the from/to window with
// loop, the controls, the narration; it sizes itself and honours reduced motion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, openPage, screenshot } from './browser.mjs';

let context;
before(async () => { context = await launch(); });
after(async () => { await context?.close(); });

const frames = (page) => page.locator('failscope-lab iframe');

test('the article loads only the embeds near the screen, and the host drives the first', async () => {
  const page = await openPage(context, 'article-demo.html');
  const first = page.frameLocator('[data-testid=tag-election] iframe');
  await first.locator('[data-testid^="node-S"]').first().waitFor({ timeout: 20_000 });
  // The two figures further down have not been made yet.
  assert.equal(await frames(page).count(), 1, 'only the figure on screen has an iframe');
  assert.equal(await page.locator('[data-testid=tag-ring] iframe').count(), 0);

  // The element's API reaches the app, and its events come back.
  await page.waitForFunction(() => document.getElementById('election').state !== null);
  await page.getByTestId('article-play').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=article-status]').dataset.playing === 'true');
  await page.getByTestId('article-pause').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=article-status]').dataset.playing === 'false');
  await page.evaluate(() => document.getElementById('election').seek(1.5));
  await page.waitForFunction(() => Math.abs(document.getElementById('election').state.time - 1.5) < 1e-6);
  // Nonsense is ignored, not obeyed.
  await page.evaluate(() => document.getElementById('election').seek('soon'));
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => document.getElementById('election').state.time), 1.5);

  // Scrolling to the ring makes its embed, dark as its attribute asks.
  await page.getByTestId('tag-ring').scrollIntoViewIfNeeded();
  const ring = page.frameLocator('[data-testid=tag-ring] iframe');
  await ring.getByTestId('app').waitFor({ timeout: 20_000 });
  assert.equal(await ring.locator('html').getAttribute('data-theme'), 'dark');
  await screenshot(page, 'article-demo');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a tag with a share link replays that run', async () => {
  const source = await openPage(context, '#lab=raft&preset=leader-crash');
  await source.waitForFunction(() => location.hash.startsWith('#s='));
  const link = source.url();
  await source.close();
  const page = await openPage(context, 'article-demo.html');
  await page.evaluate((link) => {
    const tag = document.createElement('failscope-lab');
    tag.setAttribute('link', link);
    tag.setAttribute('loading', 'eager');
    tag.dataset.testid = 'tag-link';
    document.body.prepend(tag);
  }, link);
  const frame = page.frameLocator('[data-testid=tag-link] iframe');
  await frame.locator('[data-testid^="node-S"]').first().waitFor({ timeout: 20_000 });
  const src = await page.locator('[data-testid=tag-link] iframe').getAttribute('src');
  assert.match(src, /\?embed&origin=[^#]+#s=1\./);
  assert.deepEqual(page.errors, []);
  await page.close();
});

/** Add a tag with these attributes at the top of the page, made at once. */
async function addTag(page, id, attributes) {
  await page.evaluate(([id, attributes]) => {
    const tag = document.createElement('failscope-lab');
    for (const [k, v] of Object.entries(attributes)) tag.setAttribute(k, v);
    tag.setAttribute('loading', 'eager');
    tag.dataset.testid = id;
    document.body.prepend(tag);
  }, [id, attributes]);
  return page.frameLocator(`[data-testid=${id}] iframe`);
}

test('from/to, loop, controls and narration reach the embed, which keeps to its window and sizes itself', async () => {
  const page = await openPage(context, 'article-demo.html');
  const looped = await addTag(page, 'tag-loop', { lab: 'raft', preset: 'election', from: '1', to: '1.06', loop: '', autoplay: '', controls: 'minimal', narration: 'on' });
  const src = await page.locator('[data-testid=tag-loop] iframe').getAttribute('src');
  assert.match(src, /\?embed&from=1&to=1\.06&loop&controls=minimal&narration=on&origin=/);
  const window = looped.getByTestId('embed-window');
  await window.waitFor({ timeout: 20_000 });
  assert.equal(await window.getAttribute('data-from-us'), '1000000');
  assert.equal(await window.getAttribute('data-to-us'), '1060000');
  // Minimal controls: play/pause and the clock; the narration is there.
  assert.equal(await looped.getByTestId('play-pause').count(), 1);
  assert.equal(await looped.getByTestId('step').count(), 0);
  assert.equal(await looped.getByTestId('embed-scrubber').count(), 0);
  await looped.getByTestId('narration').waitFor();
  // It plays inside [1 s, 1.06 s] and starts over.
  const times = [];
  for (let i = 0; i < 30; i++) {
    times.push(Number(await looped.getByTestId('sim-time').getAttribute('data-us')));
    await page.waitForTimeout(100);
  }
  assert.ok(times.every((t) => t >= 1_000_000 && t <= 1_060_000), `outside the window: ${times}`);
  assert.ok(times.some((t, i) => i > 0 && t < times[i - 1]), `never looped: ${times}`);
  // A seek from the host stays inside the window.
  await page.evaluate(() => { const t = document.querySelector('[data-testid=tag-loop]'); t.pause(); t.seek(30); });
  await page.waitForFunction(() => document.querySelector('[data-testid=tag-loop]').state?.time === 1.06);

  // No controls at all; it opens at its `from`.
  const bare = await addTag(page, 'tag-bare', { lab: 'raft', preset: 'election', controls: 'none', from: '2' });
  await bare.getByTestId('lab-page').waitFor({ timeout: 20_000 });
  assert.equal(await bare.getByTestId('play-pause').count(), 0);
  await page.waitForFunction(() => document.querySelector('[data-testid=tag-bare]').state?.time === 2);
  // Full controls: a scrubber over the window.
  const full = await addTag(page, 'tag-full', { lab: 'raft', preset: 'election', from: '0.5', to: '3' });
  const scrubber = full.getByTestId('embed-scrubber');
  await scrubber.waitFor({ timeout: 20_000 });
  assert.equal(await scrubber.getAttribute('min'), '500000');
  assert.equal(await scrubber.getAttribute('max'), '3000000');
  // The iframe takes the height the embed asks for, not the placeholder's.
  await page.waitForFunction(() => document.querySelector('[data-testid=tag-bare] iframe').style.height !== '470px');
  const height = await page.evaluate(() => parseFloat(document.querySelector('[data-testid=tag-bare] iframe').style.height));
  assert.ok(height > 200 && height < 1200, `height ${height}`);
  // A bad window is said, not obeyed.
  const bad = await addTag(page, 'tag-bad', { lab: 'raft', from: '5', to: '2' });
  await bad.getByTestId('embed-problem').waitFor({ timeout: 20_000 });
  assert.match(await bad.getByTestId('embed-problem').textContent(), /to must come after from/);
  await screenshot(page, 'embed-tag-attributes');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('with reduced motion, autoplay waits to be asked', async () => {
  const page = await context.newPage();
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(new URL('article-demo.html', BASE_URL).href);
  await page.waitForFunction(() => document.getElementById('election').state !== null, null, { timeout: 20_000 });
  assert.doesNotMatch(await page.locator('[data-testid=tag-election] iframe').getAttribute('src'), /autoplay/);
  await page.waitForTimeout(800);
  const state = await page.evaluate(() => document.getElementById('election').state);
  assert.equal(state.playing, false);
  assert.equal(state.time, 0.2, 'it waits at its `from`');
  await page.close();
});

test('an embed stops in a hidden tab and goes on when the tab is shown', async () => {
  const page = await openPage(context, 'article-demo.html');
  const frame = page.frameLocator('[data-testid=tag-election] iframe');
  await page.waitForFunction(() => document.getElementById('election').state?.playing === true, null, { timeout: 20_000 });
  const time = async () => Number(await frame.getByTestId('lab-page').getAttribute('data-us'));
  const setHidden = (hidden) => frame.getByTestId('lab-page').evaluate((_, h) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  await setHidden(true);
  await page.waitForTimeout(200);
  const hiddenAt = await time();
  await page.waitForTimeout(800);
  assert.equal(await time(), hiddenAt, 'no frames while the tab is hidden');
  await setHidden(false);
  await page.waitForTimeout(800);
  assert.notEqual(await time(), hiddenAt, 'frames resume when the tab is shown');
  assert.deepEqual(page.errors, []);
  await page.close();
});
