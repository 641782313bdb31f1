// analysis.test.mjs: the analysis on the pages in headless Chromium (issue 13 items 2-4): a
// script whose code and findings quote markup, its page (scores, findings linked to their
// lines and back, the flagged lines marked, markup kept as text and never run), the filters
// with JavaScript off, keyboard use, "analyse again", /analyze (paste; the save form), the
// list's badges and minimum score, a long script's source in windows of lines (pager and
// finding links without JavaScript on a phone), no horizontal scrolling at 375 px, screenshots.
//   PSS_TEST_URL, PSS_BIN: from the harness's env file; PSS_ARTIFACTS: the screenshots' folder
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { base, PW, PHONE, DESKTOP, uniq, ok, step, newPage, shot as shotAs, flash, login, focused,
    done } from './lib.mjs';

const shot = (page, name) => shotAs(page, `analysis-${name}`);
const IMG = '<img src=x onerror=alert(1)>';
const CODE = [
	'${' + IMG + '} = 1',
	'Invoke-Expression "Write-Host ' + IMG + '"',
	"$p = ConvertTo-SecureString 'P@ssw0rd' -AsPlainText -Force",
	'gci C:\\ | % { $_.Name }',
	'Write-Host $p',
	'',
].join('\n');

const user = `bana${uniq}`;
execFileSync(`${process.env.PSS_BIN}/psscript`, ['user', 'add', user, `${user}@example.com`,
    '--password-stdin'], { input: `${PW}\n`, stdio: ['pipe', 'ignore', 'inherit'] });

let dialogs = 0;
const page = await newPage();
page.on('dialog', (d) => { dialogs++; d.dismiss(); });
let scriptUrl = '';

// follow: goes where a link points (the address a click would load; with JavaScript off a
// click's auto-wait sometimes timed out on this loaded machine, a plain load never does).
async function follow(p, link) {
	await p.goto(new URL(await link.getAttribute('href'), p.url()).href);
}

// Reloads until the page shows its analysis (the job runner stores it), at most 20 s.
async function untilAnalysed(p, url) {
	for (let i = 0; i < 40; i++) {
		await p.goto(url);
		if (await p.locator('#analysis-h').count() === 1 && await p.locator('meta[http-equiv=refresh]').count() === 0)
			return true;
		await p.waitForTimeout(500);
	}
	return false;
}

// A new public script of the signed-in page's user, analysed: its path.
async function publicScript(title, content) {
	await page.goto('/scripts/new');
	await page.fill('#title', title);
	await page.fill('#content', content);
	await page.check('#isPublic');
	await Promise.all([page.waitForURL(/\/scripts\/\d+$/), page.click('form[action="/scripts"] button[type=submit]')]);
	const url = new URL(page.url()).pathname;
	ok(await untilAnalysed(page, url), 'analysed');
	return url;
}

await step('a script that quotes markup, analysed', async () => {
	await login(page, user);
	await page.goto('/scripts/new');
	await page.fill('#title', `Markup ${IMG} ${uniq}`);
	await page.fill('#content', CODE);
	await page.check('#isPublic');
	await Promise.all([page.waitForURL(/\/scripts\/\d+$/), page.click('form[action="/scripts"] button[type=submit]')]);
	scriptUrl = new URL(page.url()).pathname;
	ok(await untilAnalysed(page, scriptUrl), 'the analysis appears on the script page');
});

await step('scores, findings and the marked source', async () => {
	// the browser asks for gzip: the page comes gzip-encoded (its fragment a piece, the rest
	// stored: docs/security.md, "Compressed pages") and reads as the page
	const resp = await page.goto(scriptUrl);
	ok(resp.headers()['content-encoding'] === 'gzip', 'the script page came gzip-encoded',
	    resp.headers()['content-encoding']);
	const scores = page.locator('ul.scores li');
	ok(await scores.count() === 3, 'three scores', await scores.count());
	ok((await scores.first().textContent()).includes('higher is safer'), 'each score says what it means');
	await page.locator('ul.scores details summary').first().click();
	ok(await page.locator('ul.scores details').first().getAttribute('open') !== null, 'the formula opens');
	ok(await page.locator('section.finding-security li.finding').count() >= 3, 'security findings listed',
	    await page.locator('section.finding-security li.finding').count());
	ok(await page.locator('tr.hl-flag').count() >= 4, 'flagged lines marked', await page.locator('tr.hl-flag').count());
	ok(await page.locator('tr#L3 mark.hl-x').count() >= 1, 'the extent underlined on line 3');
	const note = page.locator('tr#L3 + tr.hl-note');
	ok((await note.textContent()).includes('ConvertTo-SecureString is used with -AsPlainText'),
	    'the message is written under the line (no hover needed)', await note.textContent());
	// from the finding to its line, and back from the line's note to the finding
	const link = page.locator('li.finding a[href="#L3"]').first();
	await link.click();
	ok(page.url().endsWith('#L3'), 'a finding links to its line', page.url());
	ok(await page.evaluate(() => document.querySelector('tr#L3').matches(':target')), 'the line is the target');
	const back = note.locator('a').first();
	const target = await back.getAttribute('href');
	await back.click();
	ok(page.url().endsWith(target) && await page.locator(target).isVisible(), 'the note links to the finding', target);
	// markup stays text: no element made of it, nothing ran
	ok(await page.locator('main img').count() === 0, 'no <img> element from the code or the findings');
	ok((await page.locator('main').textContent()).includes(`The variable '${IMG}' is assigned but never used.`),
	    'the finding quoting markup shows it as text');
	ok(dialogs === 0, 'no alert ran', dialogs);
	ok(await page.locator('a[href$="export-analysis?format=sarif"]').count() === 1, 'the export links');
	await shot(page, 'script');
});

await step('filters without JavaScript', async () => {
	const p = await newPage(DESKTOP, { javaScriptEnabled: false });
	await p.goto(scriptUrl);
	await follow(p, p.locator('nav.finding-filters a', { hasText: /^Security \(/ }));
	ok(/kind=security/.test(p.url()), 'the kind link', p.url());
	ok(await p.locator('#findings-security').count() === 1 && await p.locator('#findings-practice').count() === 0,
	    'kind: only the security findings');
	const errLink = p.locator('nav.finding-filters a', { hasText: /^Error \(/ });
	const href = await errLink.getAttribute('href');
	await follow(p, errLink);
	ok(/kind=security/.test(p.url()) && /severity=error/.test(p.url()), 'the severity link keeps the kind',
	    [href, p.url()]);
	ok(await p.locator('li.finding.sev-warning').count() === 0 && await p.locator('li.finding.sev-error').count() >= 1,
	    'severity: only errors');
	ok(await p.locator('tr#L2.hl-flag').count() === 0, 'the source marks follow the filter');
	const all = await p.locator('nav.finding-filters a', { hasText: 'Show all findings' }).getAttribute('href');
	ok(all === `${scriptUrl}#findings`, 'a link back to every finding', all);
	await p.context().close();
});

await step('repeated findings: listed once, every line linked, the notes reach them (phone, no JavaScript)', async () => {
	const url = await publicScript(`Repeated ${uniq}`, 'gci C:\\\ngci D:\\\ngci E:\\\n');
	const p = await newPage(PHONE, { javaScriptEnabled: false });
	await p.goto(url);
	const item = p.locator('li.finding', { hasText: "'gci' is an alias" });
	ok(await item.count() === 1, 'one item for the three findings', await item.count());
	ok((await item.textContent()).includes('and 2 more lines'), 'it says how many more', await item.textContent());
	ok(await item.locator('.finding-lines a').count() === 2, 'with a link to each other line');
	ok(await p.locator('tr.hl-flag').count() === 3 && await p.locator('tr.hl-note').count() === 3,
	    'every line marked, with its note');
	const back = p.locator('tr#L3 + tr.hl-note a').first();
	const target = await back.getAttribute('href');
	await follow(p, back);
	ok(await p.locator(target).isVisible() && await p.evaluate((t) => document.querySelector(t).matches(':target'), target),
	    "line 3's note reaches its finding's anchor", target);
	await follow(p, p.locator(target));
	ok(p.url().endsWith('#L3'), 'and that anchor links to line 3', p.url());
	const over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	ok(over <= 0, 'no horizontal scrolling at 375 px', over);
	await shot(p, 'repeated');
	await p.context().close();
});

await step('a long script in windows of lines: pager and finding links without JavaScript on a phone', async () => {
	const lines = [];
	for (let i = 1; i <= 450; i++)
		lines.push(i === 420 ? 'gci C:\\ | Out-Null' : `Write-Output 'line ${i}'`);
	const url = await publicScript(`Long ${uniq}`, lines.join('\n') + '\n');
	const p = await newPage(PHONE, { javaScriptEnabled: false });
	await p.goto(url);
	const pager = p.locator('nav.src-pager');
	ok((await pager.textContent()).includes('Lines 1\u2013200 of 450'), 'the pager says which lines', await pager.textContent());
	ok(await p.locator('table.hl tr[id^="L"]').count() === 200, 'one window of rows', await p.locator('table.hl tr[id^="L"]').count());
	let over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	ok(over <= 0, 'no horizontal scrolling at 375 px with the pager', over);
	await shot(p, 'window');
	// the finding on line 420 links to the window holding it, at the line
	const link = p.locator('li.finding a', { hasText: 'line 420' }).first();
	ok(/\?from=401#L420$/.test(await link.getAttribute('href')), 'the finding links to its window', await link.getAttribute('href'));
	await follow(p, link);
	ok(await p.locator('tr#L420.hl-flag').isVisible() && await p.evaluate(() => document.querySelector('tr#L420').matches(':target')),
	    'the flagged line is there and is the target', p.url());
	ok((await pager.textContent()).includes('Lines 401\u2013450 of 450'), 'the last window', await pager.textContent());
	ok(await pager.locator('a[rel=next]').count() === 0, 'no next at the end');
	await follow(p, pager.locator('a[rel=prev]'));
	ok(/from=201#source-h$/.test(p.url()) && await p.locator('tr#L201').count() === 1, 'previous lines', p.url());
	await follow(p, pager.locator('a', { hasText: 'Whole script' }));
	ok(await p.locator('table.hl tr[id^="L"]').count() === 450, 'the whole script on asking');
	over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	ok(over <= 0, 'no horizontal scrolling of the whole script either', over);
	await p.context().close();
});

await step('keyboard: Tab to a filter link, Enter follows it; focus visible', async () => {
	const p = await newPage();
	await p.goto(scriptUrl);
	let el = null;
	for (let i = 0; i < 120; i++) {
		await p.keyboard.press('Tab');
		el = await focused(p);
		if (el.tag === 'A' && el.text.startsWith('Best practice ('))
			break;
	}
	ok(el && el.text.startsWith('Best practice ('), 'Tab reaches the filter links', el);
	ok(el && el.outline, 'the focused link shows an outline');
	await Promise.all([p.waitForURL(/kind=practice/), p.keyboard.press('Enter')]);
	ok(/kind=practice/.test(p.url()), 'Enter follows the link', p.url());
	await p.context().close();
});

await step('analyse again: progress, then the analysis', async () => {
	await page.goto(scriptUrl);
	await Promise.all([page.waitForURL(base + scriptUrl), page.click('form.inline-form button[type=submit]')]);
	ok((await flash(page)).includes('analysed again'), 'the flash says so');
	ok(await untilAnalysed(page, scriptUrl), 'the page shows the analysis again once the job ran');
});

await step('/analyze: paste, the same view, save to the library', async () => {
	await page.goto('/analyze');
	await page.fill('#analyze-content', CODE);
	await Promise.all([page.waitForNavigation(), page.click('form.analyze-form button[type=submit]')]);
	ok(await page.locator('#analysis-h').count() === 1, 'the analysis of the pasted code');
	ok(await page.locator('tr#L3.hl-flag').count() === 1, 'the marked source');
	ok(await page.locator('main img').count() === 0 && dialogs === 0, 'markup stays text here too');
	ok(await page.locator('nav.finding-filters').count() === 0, 'no filter links on a result that has no address');
	ok(await page.locator('#save-h').count() === 1, 'signed in: the save form');
	// both echoes of the code (compressed as pieces for a browser: README, HTTP) give it back exactly
	ok(await page.inputValue('#content') === CODE, 'with the code in it, as it was pasted');
	ok(await page.inputValue('#analyze-content') === CODE, 'and in the form above');
	await page.fill('#title', `Saved from analyse ${uniq}`);
	await page.fill('#content', CODE + '# saved from /analyze\n');	// not a duplicate of the first
	await Promise.all([page.waitForURL(/\/scripts\/\d+$/), page.click('form[action="/scripts"] button[type=submit]')]);
	ok((await flash(page)).includes('The script was saved.'), 'saved to the library');
});

await step('/analyze without JavaScript and signed out', async () => {
	const p = await newPage(PHONE, { javaScriptEnabled: false });
	await p.goto('/analyze');
	await p.fill('#analyze-content', 'gci\n');
	await Promise.all([p.waitForNavigation(), p.click('form.analyze-form button[type=submit]')]);
	ok((await p.locator('main').textContent()).includes("'gci' is an alias of 'Get-ChildItem'"), 'the finding shown');
	ok(await p.locator('#save-h').count() === 0, 'no save form when signed out');
	await p.goto('/analyze');
	await Promise.all([p.waitForNavigation(), p.click('form.analyze-form button[type=submit]')]);
	ok(await p.locator('#analyze-content-error').count() === 1, 'empty: a message under the field',
	    await p.locator('main').textContent());
	await p.context().close();
});

await step('the list: badges, minimum security score', async () => {
	await page.goto('/scripts?mine=true');
	const badges = page.locator('ul.score-badges').first();
	ok(/Security\s+\S+ of 10 \w+/.test(await badges.textContent()), 'badges carry words, not colour only',
	    await badges.textContent());
	await page.selectOption('#minSecurityScore', '9');
	await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
	ok(/minSecurityScore=9/.test(page.url()), 'the filter is in the address', page.url());
	ok(await page.locator(`a:has-text("Markup")`).count() === 0, 'the insecure script is filtered out');
});

await step('phone and desktop: no horizontal scrolling, screenshots', async () => {
	const files = [];
	for (const vp of [PHONE, DESKTOP]) {
		const p = await newPage(vp);
		await login(p, user);
		for (const [name, url] of [['script', scriptUrl], ['script-filtered', `${scriptUrl}?kind=security`],
		    ['list', '/scripts?mine=true'], ['analyze', '/analyze']]) {
			await p.goto(url);
			files.push(await shot(p, `${name}`));
			const over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
			ok(over <= 0, `${name} at ${vp.width}px: no horizontal scrolling of the page`, over);
		}
		await p.fill('#analyze-content', CODE);
		await Promise.all([p.waitForNavigation(), p.click('form.analyze-form button[type=submit]')]);
		files.push(await shot(p, 'analyze-result'));
		const over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		ok(over <= 0, `analyze result at ${vp.width}px: no horizontal scrolling of the page`, over);
		await p.context().close();
	}
	ok(files.every((f) => fs.statSync(f).size > 1000), `${files.length} screenshots written`);
});

await done();
