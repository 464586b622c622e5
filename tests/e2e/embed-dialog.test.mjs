// Share → Embed: a live preview of the embed and copyable snippets for an iframe, the
// <failscope-lab> tag and a Markdown page; it says which time range they show.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, openPage, pause, screenshot, scrubTo } from './browser.mjs';

let context;
before(async () => {
  context = await launch();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(BASE_URL).origin });
});
after(async () => { await context?.close(); });

test('the Embed dialog previews the run and copies each snippet', async () => {
  const page = await openPage(context, '#lab=raft&preset=election');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.locator('[data-testid^="node-S"]').first().waitFor({ timeout: 20_000 });
  await page.waitForTimeout(1_000);
  await pause(page);
  await page.getByTestId('share-button').click();
  await page.getByTestId('copy-embed').click();
  const dialog = page.getByTestId('embed-dialog');
  await dialog.waitFor({ timeout: 10_000 });
  // Nothing is marked on the timeline: the whole run, and the dialog says how to mark a window.
  assert.match(await page.getByTestId('embed-range').textContent(), /the whole run .*Mark a window on the timeline/);
  // The preview is the embed itself, showing this run.
  const preview = page.frameLocator('[data-testid=embed-preview]');
  await preview.locator('[data-testid^="node-S"]').first().waitFor({ timeout: 20_000 });
  assert.equal(await preview.getByTestId('tab-inspector').count(), 0, 'the preview is the compact embed');
  const src = await page.getByTestId('embed-preview').getAttribute('src');
  assert.match(src, /\?embed#s=1\./);

  const snippets = {
    'embed-code': /^<iframe src="[^"]+\?embed#s=1\.[^"]+" title="Failscope: [^"]+"/,
    'embed-tag-code': /<script type="module" src="[^"]+\/embed\.js"><\/script>\n<failscope-lab link="[^"]+#s=1\.[^"]+"/,
    'embed-markdown-code': /<iframe [^\n]+\n\n\[Open this run in Failscope\]\(http[^)]+#s=1\.[^)]+\)/,
  };
  for (const [id, pattern] of Object.entries(snippets)) {
    const text = await page.getByTestId(id).inputValue();
    assert.match(text, pattern, id);
    await page.getByTestId(`copy-${id}`).click();
    await page.waitForFunction(() => /copied/.test(document.querySelector('[data-testid=embed-copied]')?.textContent ?? ''));
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text, `${id} is on the clipboard`);
    await page.evaluate(() => navigator.clipboard.writeText(''));
  }
  await screenshot(page, 'embed-dialog-1280');

  // A window marked on the timeline (a button for the start, the key o for the end) is the
  // window the snippets embed.
  await page.keyboard.press('Escape');
  await scrubTo(page, 1_000_000);
  await page.getByTestId('mark-from').click();
  await scrubTo(page, 3_000_000);
  await page.locator('body').press('o');
  const band = page.getByTestId('timeline-window');
  assert.deepEqual([await band.getAttribute('data-from'), await band.getAttribute('data-to')], ['1000000', '3000000']);
  await page.getByTestId('share-button').click();
  await page.getByTestId('copy-embed').click();
  await page.getByTestId('embed-dialog').waitFor({ timeout: 10_000 });
  assert.match(await page.getByTestId('embed-range').textContent(), /Time range: 1\.000 s to 3\.000 s, the window marked on the timeline/);
  // In the snippet the attribute's & is written &amp;, as HTML wants.
  assert.match(await page.getByTestId('embed-code').inputValue(), /\?embed&amp;from=1&amp;to=3#s=1\./);
  assert.match(await page.getByTestId('embed-tag-code').inputValue(), / from="1" to="3"/);
  await page.keyboard.press('Escape');
  await page.getByTestId('clear-marks').click();
  assert.equal(await page.getByTestId('timeline-window').count(), 0);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await screenshot(page, 'embed-dialog-390');
  assert.deepEqual(page.errors, []);
  await page.close();
});
