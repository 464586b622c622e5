// The <failscope-lab> tag (dist/embed.js) in an article: an embed is made only when it
// comes near the screen, the host page drives it with play()/pause()/seek() and hears
// ready/statechange events, and the theme attribute reaches the app.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPage, screenshot } from './browser.mjs';

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
  assert.match(src, /\?embed#s=1\./);
  assert.deepEqual(page.errors, []);
  await page.close();
});
