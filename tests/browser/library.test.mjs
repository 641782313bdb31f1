// library.test.mjs: the script library's pages in headless Chromium (Debian's, driven by
// playwright-core) against the real stack that tests/browser/run.sh starts. TAP output.
// Log in, upload three files and watch the progress finish (upload.js), edit a script, diff
// two versions, revert, log out; keyboard-only new-script and edit forms; tag suggestions
// (tags.js); screenshots of the list, script, diff and new pages at phone and desktop widths.
//   PSS_TEST_URL, PSS_BIN: from the harness's env file; PSS_ARTIFACTS: the screenshots' folder
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { base, PW, PHONE, DESKTOP, uniq, ok, step, newPage, shot as shotAs, flash, login, focused, tabTo,
    done } from './lib.mjs';

const shot = (page, name) => shotAs(page, `library-${name}`);

const user = `blib${uniq}`;
execFileSync(`${process.env.PSS_BIN}/psscript`, ['user', 'add', user, `${user}@example.com`,
    '--password-stdin'], { input: `${PW}\n`, stdio: ['pipe', 'ignore', 'inherit'] });

const page = await newPage();
let scriptUrl = '';

await step('log in', async () => {
	await login(page, user);
	ok(page.url() === base + '/', 'signed in on the dashboard', page.url());
	ok(await page.locator('nav a[href="/scripts"]').count() === 1, 'the navigation links the scripts');
});

await step('upload three files and watch the progress finish', async () => {
	await page.goto('/scripts/new');
	ok(await page.title() === 'New script · PSScript', 'the new-script page', await page.title());
	await page.setInputFiles('#files', [1, 2, 3].map((i) => ({ name: `bro-${uniq}-${i}.ps1`,
	    mimeType: 'text/plain', buffer: Buffer.from(`# file ${i} of ${uniq}\nGet-ChildItem -Path C:\\t${i}\n`) })));
	await page.fill('#up-tags', `upl${uniq}`);
	const started = Date.now();
	await page.click('form[action="/scripts/upload"] button[type=submit]');
	await page.waitForFunction(() => /Finished/.test(document.querySelector('[data-upload-summary]')?.textContent || ''),
	    null, { timeout: 30000 });
	const summary = await page.locator('[data-upload-summary]').textContent();
	ok(/3 new scripts/.test(summary), 'the summary says three new scripts', summary);
	const prog = await page.evaluate(() => { const p = document.querySelector('[data-upload-progress]'); return [p.value, p.max]; });
	ok(prog[0] === prog[1], 'the progress bar is full', prog);
	ok(page.url() === base + '/scripts/new', 'JavaScript kept the page (no form navigation)', page.url());
	const links = page.locator('[data-upload-list] a');
	ok(await links.count() === 3, 'one link per stored script', await links.count());
	console.log(`# batch of three finished in ${Date.now() - started} ms`);
	scriptUrl = new URL(await links.first().getAttribute('href'), base).pathname;
	await page.goto(scriptUrl);
	ok((await page.locator('h1').textContent()).startsWith(`bro-${uniq}-`), 'the script page', await page.locator('h1').textContent());
	ok(await page.locator('table.hl tr#L2 h-m').textContent() === 'Get-ChildItem', 'highlighted source with line ids');
});

await step('edit a script (a new version with a message)', async () => {
	await page.click('.script-actions a:has-text("Edit")');
	ok(page.url() === base + scriptUrl + '/edit', 'the edit page', page.url());
	const text = await page.inputValue('#content');
	await page.fill('#content', text + 'Write-Output "edited <ok>"\n');
	await page.fill('#commitMessage', 'Say <b>edited</b>');
	await Promise.all([page.waitForURL(base + scriptUrl), page.click('main form button[type=submit]')]);
	ok((await flash(page)).includes('The script was saved.'), 'saved: the flash on the script page');
	ok(await page.locator('dl.facts dd').nth(3).textContent() === '2', 'version 2');
	ok((await page.locator('body').textContent()).includes('Say <b>edited</b>'), 'the message shown as text');
});

await step('diff two versions', async () => {
	await page.click('a:has-text("Compare versions")');
	ok(await page.locator('table.dv-split').count() === 1, 'the last two versions side by side');
	await page.selectOption('#from', '2');
	await page.selectOption('#to', '1');
	await page.selectOption('#view', 'unified');
	await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
	ok(page.url().includes('from=2') && page.url().includes('view=unified'), 'a GET form: the choice is in the address', page.url());
	const removed = page.locator('table.dv-unified tr.dv-removed');
	ok(await removed.count() === 1 && (await removed.textContent()).includes('edited <ok>'), 'unified: the line removed going from 2 to 1');
	await shot(page, 'diff');
});

await step('revert', async () => {
	await page.goto(scriptUrl + '/versions/1');
	await page.click('a:has-text("Revert to this version")');
	ok(page.url() === base + scriptUrl + '/revert/1', 'the confirmation page', page.url());
	await Promise.all([page.waitForURL(base + scriptUrl), page.click('main button[type=submit]')]);
	ok((await flash(page)).includes('reverted'), 'reverted: the flash');
	ok(await page.locator('dl.facts dd').nth(3).textContent() === '3', 'version 3');
	ok(!(await page.locator('table.hl').textContent()).includes('edited'), 'the old content is back');
});

await step('tag suggestions', async () => {
	await page.goto('/scripts/new');
	await page.focus('#tags');
	await page.keyboard.type(`upl${uniq}`.slice(0, 6));
	await page.waitForFunction(() => document.querySelectorAll('#tags-suggestions option, datalist option').length > 0,
	    null, { timeout: 5000 });
	const opts = await page.evaluate(() => [...document.querySelectorAll('datalist option')].map((o) => o.value));
	ok(opts.includes(`upl${uniq}`), 'the upload\'s tag is suggested', opts);
});

await step('log out', async () => {
	await Promise.all([page.waitForURL('**/login'), page.click('header button:has-text("Log out")')]);
	await page.goto(scriptUrl);
	ok(await page.locator('h1').textContent() === 'Page not found', 'a private script: 404 once logged out');
});

await step('keyboard: new-script form', async () => {
	const p = await newPage();
	await login(p, user);
	await p.goto('/scripts/new');
	const seen = await tabTo(p, 'title');
	ok(seen.at(-1).id === 'title', 'Tab reaches the title', seen.map((e) => e.id || e.text));
	ok(seen.every((e) => e.outline), 'every focused element shows an outline', seen.filter((e) => !e.outline));
	await p.keyboard.type(`Keyboard ${uniq}`);
	const order = [];
	for (const id of ['description', 'content', 'categoryId', 'tags', 'isPublic', 'commitMessage']) {
		await p.keyboard.press('Tab');
		order.push((await focused(p)).id);
		if (id === 'description')
			await p.keyboard.type('Typed without a mouse');
		if (id === 'content')
			await p.keyboard.type(`Get-Date # ${uniq}`);
		if (id === 'isPublic')
			await p.keyboard.press('Space');
	}
	ok(order.join() === 'description,content,categoryId,tags,isPublic,commitMessage', 'the fields in order', order);
	await p.keyboard.press('Tab');
	ok((await focused(p)).text === 'Save the script', 'then the submit button');
	await Promise.all([p.waitForURL(/\/scripts\/\d+$/), p.keyboard.press('Enter')]);
	ok((await p.locator('h1').textContent()) === `Keyboard ${uniq}`, 'Enter saves: the new script\'s page');
	ok(await p.locator('dl.facts dd').nth(4).textContent() === 'public', 'Space ticked the public box');
	await shot(p, 'script');

	// edit: Tab to the commit message and press Enter there
	await p.click('.script-actions a:has-text("Edit")');
	const seen2 = await tabTo(p, 'content');
	ok(seen2.at(-1).id === 'content', 'edit: Tab reaches the code', seen2.map((e) => e.id || e.text));
	await p.keyboard.press('End');
	await p.keyboard.press('Control+End');
	await p.keyboard.type('\nGet-Location');
	const rest = await tabTo(p, 'commitMessage', 6);
	ok(rest.at(-1).id === 'commitMessage', 'then on to the commit message', rest.map((e) => e.id));
	await p.keyboard.type('Keyboard edit');
	await Promise.all([p.waitForURL(/\/scripts\/\d+$/), p.keyboard.press('Enter')]);
	ok((await flash(p)).includes('saved'), 'Enter in the message saves');
	ok(await p.locator('dl.facts dd').nth(3).textContent() === '2', 'a second version');
	await p.context().close();
});

await step('screenshots at phone and desktop widths', async () => {
	const files = [];
	for (const vp of [PHONE, DESKTOP]) {
		const p = await newPage(vp);
		await login(p, user);
		for (const [name, url] of [['list', '/scripts?mine=true'], ['view', scriptUrl],
		    ['diff', `${scriptUrl}/versions?from=1&to=2`], ['new', '/scripts/new'], ['categories', '/categories']]) {
			await p.goto(url);
			files.push(await shot(p, name));
			const over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
			ok(over <= 0, `${name} at ${vp.width}px: no horizontal scrolling of the page`, over);
		}
		await p.context().close();
	}
	ok(files.every((f) => fs.statSync(f).size > 1000), `${files.length} screenshots written`);
});

await done();
