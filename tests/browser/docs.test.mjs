// docs.test.mjs: the documentation's pages in headless Chromium (Debian's, driven by
// playwright-core) against the real stack that tests/browser/run.sh starts. TAP output.
// The shipped reference imported; search by name, alias and type filter; a document page
// (highlighted code, versions, links between pages); the redirect by alias; a hostile
// document (raw HTML and a javascript: link) shown as text; the admin page deletes a document
// and a whole source; screenshots at phone and desktop widths.
//   PSS_TEST_URL, PSS_BIN: from the harness's env file; PSS_ARTIFACTS: the screenshots' folder
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { base, artifacts, PW, PHONE, uniq, ok, step, newPage, flash, login, done } from './lib.mjs';

// the visible part only: a whole reference page is many screens long
const shot = (page, name) => page.screenshot({ path: path.join(artifacts,
    `docs-${name}-${page.viewportSize().width < 600 ? 'phone' : 'desktop'}.png`) });
const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ps = `${process.env.PSS_BIN}/psscript`;

execFileSync(ps, ['docs', 'import', `${top}/data/powershell-docs`], { stdio: ['ignore', 'ignore', 'inherit'] });
const adminName = `bdoc${uniq}`;
execFileSync(ps, ['user', 'add', adminName, `${adminName}@example.com`, '--admin', '--password-stdin'],
    { input: `${PW}\n`, stdio: ['pipe', 'ignore', 'inherit'] });

const page = await newPage();

await step('search by an alias from the navigation', async () => {
	await page.goto('/');
	await Promise.all([page.waitForNavigation(), page.click('nav a[href="/docs"]')]);
	ok(await page.title() === 'Documentation · PSScript', 'the documentation page', await page.title());
	await page.fill('#query', 'gci');
	await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
	const first = page.locator('.doc-row').first();
	ok(await first.locator('h3 a').textContent() === 'Get-ChildItem', 'gci finds Get-ChildItem first',
	    await first.locator('h3 a').textContent());
	ok(await first.locator('.badge-exact').count() === 1, 'marked as the exact name');
	await shot(page, 'search');
});

await step('filter by type and see highlighted snippets', async () => {
	await page.goto('/docs');
	await page.fill('#query', 'scope variable');
	await page.selectOption('#contentTypes', 'about');
	await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
	ok(page.url().includes('contentTypes=about'), 'a GET form: the filter is in the address', page.url());
	const types = await page.locator('.doc-row .meta').allTextContents();
	ok(types.length > 0 && types.every((t) => t.startsWith('about')), 'only about topics', types.slice(0, 3));
	ok(await page.locator('.doc-row .snippet mark').count() > 0, 'the matches are marked in the snippets');
	ok(await page.locator('#contentTypes').inputValue() === 'about', 'the filter stays selected');
});

let docUrl = '';
await step('a document: rendered, highlighted, with its versions', async () => {
	await page.goto('/docs/cmdlet/ls');
	docUrl = new URL(page.url()).pathname;
	ok(/^\/docs\/[0-9]+$/.test(docUrl), 'the alias redirects to the document page', page.url());
	ok(await page.locator('h1').textContent() === 'Get-ChildItem', 'its title', await page.locator('h1').textContent());
	ok(await page.locator('article pre code.language-powershell h-m').count() > 0,
	    'its PowerShell examples are highlighted');
	ok(await page.locator('.doc-versions [aria-current="page"]').textContent() === 'PowerShell 7.6',
	    'the version shown is 7.6');
	await shot(page, 'document');
	await Promise.all([page.waitForNavigation(), page.click('.doc-versions a:has-text("PowerShell 5.1")')]);
	ok(await page.locator('.doc-versions [aria-current="page"]').textContent() === 'PowerShell 5.1',
	    'the other version is one click away');
	await Promise.all([page.waitForNavigation(), page.click('article a[href="/docs/cmdlet/Get-Item"] >> nth=0')]);
	ok(await page.locator('h1').textContent() === 'Get-Item', 'a reference link leads to that cmdlet');
});

await step('at a phone width the document page fits', async () => {
	const phone = await newPage(PHONE);
	await phone.goto(docUrl);
	const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	ok(overflow <= 1, 'no horizontal scrolling of the page', overflow);
	await shot(phone, 'document');
	await phone.goto('/docs?query=Get-Process');
	await shot(phone, 'search');
	await phone.context().close();
});

let hostileUrl = '', csrf = '';
await step('a hostile document is shown as text', async () => {
	await login(page, adminName);
	await page.goto('/admin/docs');
	csrf = await page.locator('input[name=csrf_token]').first().inputValue();
	const res = await page.request.post('/api/documentation', {
		headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
		data: { url: `https://hostile.example.test/${uniq}`, title: `Hostile ${uniq}`, source: `Hostile ${uniq}`,
		    content: '# Hi\n\n<script>window.pwned = 1</script>\n\n[click](javascript:window.pwned=2)\n\n<img src=x onerror="window.pwned=3">\n' },
	});
	ok(res.status() === 201, 'the admin stores it', res.status());
	hostileUrl = `/docs/${(await res.json()).document.id}`;
	let dialogs = 0;
	page.on('dialog', (d) => { dialogs++; d.dismiss(); });
	await page.goto(hostileUrl);
	ok(await page.evaluate(() => window.pwned) === undefined, 'no script of the document ran');
	ok((await page.locator('article').textContent()).includes('<script>window.pwned = 1</script>'), 'the HTML is text');
	ok(await page.locator('article a[href^="javascript"]').count() === 0, 'no javascript: link');
	ok(await page.locator('article img').count() === 0, 'no image element');
	ok(dialogs === 0, 'no dialog');
});

await step('the admin page deletes a document and a source', async () => {
	await page.goto('/admin/docs');
	ok(await page.title() === 'Manage documentation · PSScript', 'the admin page', await page.title());
	ok((await page.locator('#sources-h + .table-wrap').textContent()).includes('PowerShell-Docs'), 'the sources with counts');
	ok(await page.locator('a[href="/admin/docs/crawls"]').count() === 1, 'a link to the crawls');
	const row = page.locator('#recent-h + .table-wrap tr', { hasText: `Hostile ${uniq}` }).first();
	await Promise.all([page.waitForNavigation(), row.locator('button:has-text("Delete")').click()]);
	ok((await flash(page)).includes('deleted'), 'deleted: the flash', await flash(page));
	const gone = await page.request.get(hostileUrl);
	ok(gone.status() === 404, 'the document is gone', gone.status());
	// a whole source: the hostile one again, then its row's button
	await page.request.post('/api/documentation', { headers: { 'Content-Type': 'application/json',
	    'X-CSRF-Token': csrf }, data: { url: `https://hostile.example.test/${uniq}/2`,
	    title: 'Again', source: `Hostile ${uniq}` } });
	await page.goto('/admin/docs');
	const src = page.locator('#sources-h + .table-wrap tr', { hasText: `Hostile ${uniq}` });
	ok(await src.count() === 1, 'the source is listed');
	await Promise.all([page.waitForNavigation(), src.locator('button').click()]);
	ok((await flash(page)).includes("source's documents were deleted"), 'the source is deleted', await flash(page));
	ok(await page.locator('#sources-h + .table-wrap tr', { hasText: `Hostile ${uniq}` }).count() === 0, 'and no longer listed');
	await shot(page, 'admin');
});

await done();
