// fixes.test.mjs: "Apply fixes" in headless Chromium (issue 14 item 7, docs/analyzer.md
// "Applying fixes"): from the script page to the list of fixes, choose some, preview the diff,
// confirm, and the script shows the new version with the edits in its commit message; once
// with JavaScript (the Choose all / none buttons work) and once without (the buttons stay
// hidden, every step is a plain form); a stranger gets no page.
//   PSS_TEST_URL, PSS_BIN: from the harness's env file; PSS_ARTIFACTS: the screenshots' folder
import { execFileSync } from 'node:child_process';
import { PW, PHONE, DESKTOP, uniq, ok, step, newPage, shot as shotAs, flash, login, done } from './lib.mjs';

const shot = (page, name) => shotAs(page, `fixes-${name}`);
// gci (1), trailing spaces (1), % (2), ls (3): four exact fixes; Write-Host has none
const CODE = '$items = gci C:\\Temp  \n$items | % { $_.Name }\nls -Recurse\nWrite-Host "done"\n';

const user = `bfix${uniq}`, stranger = `bfiy${uniq}`;
for (const u of [user, stranger])
	execFileSync(`${process.env.PSS_BIN}/psscript`, ['user', 'add', u, `${u}@example.com`,
	    '--password-stdin'], { input: `${PW}\n`, stdio: ['pipe', 'ignore', 'inherit'] });

// newScript: a private script of the signed-in page's user through the paste form; its path.
async function newScript(p, title) {
	await p.goto('/scripts/new');
	await p.fill('#title', title);
	await p.fill('#content', CODE + `# ${title}\n`);
	await Promise.all([p.waitForURL(/\/scripts\/\d+$/), p.click('form[action="/scripts"] button[type=submit]')]);
	return new URL(p.url()).pathname;
}

// flow: script page → fixes → preview (the chosen ids) → apply; returns the script's path.
async function flow(p, js) {
	const name = js ? 'js' : 'nojs';
	const path = await newScript(p, `Fixes ${name} ${uniq}`);
	await p.goto(path);
	const link = p.locator('ul.script-actions a', { hasText: 'Apply fixes' });
	ok(await link.count() === 1, `${name}: the script page links to Apply fixes`);
	await p.goto(await link.getAttribute('href'));
	const boxes = p.locator('form.fixes-choose input[type=checkbox][name=fix]');
	ok(await boxes.count() === 4, `${name}: four fixes listed`, await boxes.count());
	ok(await p.locator('form.fixes-choose input[name=fix]:checked').count() === 4, `${name}: all ticked at first`);
	const toggle = p.locator('.fixes-toggle');
	ok(await toggle.isVisible() === js, `${name}: Choose all / none ${js ? 'shown' : 'hidden'}`);
	if (js) {
		await p.click('button[data-fixes-all="0"]');
		ok(await p.locator('form.fixes-choose input[name=fix]:checked').count() === 0, 'js: Choose none clears them');
		await p.click('button[data-fixes-all="1"]');
		ok(await p.locator('form.fixes-choose input[name=fix]:checked').count() === 4, 'js: Choose all ticks them');
	}
	// keep the two aliases of lines 2 and 3 only
	for (const id of ['PSAvoidUsingCmdletAliases:9-12', 'PSAvoidTrailingWhitespace:20-22'])
		await p.uncheck(`input[name=fix][value="${id}"]`);
	await Promise.all([p.waitForURL(/fix=/), p.click('form.fixes-choose button[type=submit]:not([name])')]);
	ok((await p.locator('main').textContent()).includes('2 fixes would be applied'), `${name}: the preview counts them`);
	ok(await p.locator('table.dv-unified tr.dv-added').count() === 2, `${name}: the diff shows two added lines`,
	    await p.locator('table.dv-unified tr.dv-added').count());
	ok((await p.locator('table.dv-unified').textContent()).includes('Get-ChildItem -Recurse'),
	    `${name}: the fixed line in the diff`);
	ok((await p.locator('q.commit-message').textContent()) ===
	    'Applied 2 fixes: PSAvoidUsingCmdletAliases (line 2), PSAvoidUsingCmdletAliases (line 3)',
	    `${name}: the commit message lists the edits`, await p.locator('q.commit-message').textContent());
	await shot(p, `preview-${name}`);
	await Promise.all([p.waitForURL(/\/scripts\/\d+$/), p.locator('main button', { hasText: 'Apply and save version 2' }).click()]);
	ok((await flash(p)).includes('The fixes were applied'), `${name}: back on the script with the message`);
	ok((await p.locator('main').textContent()).includes('Applied 2 fixes: PSAvoidUsingCmdletAliases (line 2)'),
	    `${name}: the versions list the commit message`);
	ok((await p.locator('dl.facts dt:text-is("Version") + dd').textContent()).trim() === '2', `${name}: version 2`);
	return path;
}

let owned = '';
await step('with JavaScript', async () => {
	const p = await newPage(DESKTOP);
	await login(p, user);
	owned = await flow(p, true);
	await p.context().close();
});

await step('without JavaScript', async () => {
	const p = await newPage(PHONE, { javaScriptEnabled: false });
	await login(p, user);
	await flow(p, false);
	// no horizontal scrolling on a phone
	await p.goto(`${owned}/fixes`);
	ok(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1),
	    'nojs: the fixes page fits 375 px');
	await shot(p, 'list');
	await p.context().close();
});

await step('a stranger gets no page', async () => {
	const p = await newPage(DESKTOP);
	await login(p, stranger);
	const r = await p.goto(`${owned}/fixes`);
	ok(r.status() === 404, 'another user: 404', r.status());
	await p.context().close();
});

await done();
