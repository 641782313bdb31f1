// crawls.test.mjs: the documentation crawls' admin page (/admin/docs/crawls) in headless
// Chromium against the real stack that tests/browser/run.sh starts. TAP output.
// A refused address is shown again in the form with its message; a crawl started from the form
// is queued (flash), the page follows it to its end by reloading itself, its skip reason is
// shown on demand; cancel buttons only on running crawls; screenshots at phone and desktop.
//   PSS_TEST_URL, PSS_TEST_HTTP_URL, PSS_BIN: from the harness's env file
import { execFileSync } from 'node:child_process';
import { PW, PHONE, DESKTOP, uniq, ok, step, newPage, shot as shotAs, flash, login, done } from './lib.mjs';

const shot = (page, name) => shotAs(page, `crawls-${name}`);
const adminName = `bcrawl${uniq}`;
execFileSync(`${process.env.PSS_BIN}/psscript`, ['user', 'add', adminName, `${adminName}@example.com`,
    '--admin', '--password-stdin'], { input: `${PW}\n`, stdio: ['pipe', 'ignore', 'inherit'] });
// a page on this machine that is not documentation: JSON (the stack allows loopback addresses)
const target = `${process.env.PSS_TEST_HTTP_URL}/api/health`;

const page = await newPage();

await step('a refused address: the form again with the message', async () => {
	await login(page, adminName);
	await page.goto('/admin/docs/crawls');
	ok(await page.title() === 'Documentation crawls · PSScript', 'the crawls page', await page.title());
	ok(await page.isChecked('#sameHost'), 'stay on the start host is the default');
	await page.fill('#url', 'http://169.254.169.254/latest/meta-data/');
	await page.fill('#maxPages', '5');
	await page.fill('#depth', '0');
	await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
	ok((await page.locator('.field-error').first().textContent()).includes('refused address'),
	    'the url field says why');
	ok(await page.inputValue('#url') === 'http://169.254.169.254/latest/meta-data/', 'the URL is kept');
});

await step('start a crawl and follow it to its end', async () => {
	await page.goto('/admin/docs/crawls');
	await page.fill('#url', target);
	await page.fill('#depth', '0');
	await Promise.all([page.waitForURL('**/admin/docs/crawls'), page.click('main button[type=submit]')]);
	ok((await flash(page)).includes('The crawl was queued'), 'flash after the redirect');
	const row = page.locator('tr', { hasText: target }).first();
	// the page reloads itself every 5 s while a crawl runs
	await row.locator('.crawl-status', { hasText: 'done' }).waitFor({ timeout: 60000 });
	ok(true, 'the crawl reached done without a manual reload');
	ok(await page.locator('meta[http-equiv="refresh"]').count() === 0, 'no more reloading once nothing runs');
	const reasons = page.locator('details', { hasText: 'Why pages were skipped' }).first();
	await reasons.locator('summary').click();
	const text = await reasons.textContent();
	ok(/unsupported content type|SSL|certificate|HTTP \d{3}/.test(text), 'the skip reason is shown', text);
	ok(await page.locator(`form[action$="/cancel"]`).count() === 0, 'no cancel button on finished crawls');
});

await step('screenshots at phone and desktop widths', async () => {
	for (const vp of [PHONE, DESKTOP]) {
		const p = await newPage(vp);
		await login(p, adminName);
		await p.goto('/admin/docs/crawls');
		await shot(p, 'list');
		const over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		ok(over <= 0, `crawls at ${vp.width}px: no horizontal scrolling`, over);
		await p.context().close();
	}
});

await done();
