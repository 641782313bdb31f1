// analytics.test.mjs: /analytics, a finding's page, the dashboard's summary and
// /admin/operations in headless Chromium against the real stack (tests/browser/run.sh):
// charts drawn, accessible and readable at 375 px and in dark mode; screenshots. TAP output.
import { execFileSync } from 'node:child_process';
import { base, PW, PHONE, DESKTOP, uniq, ok, step, newPage, shot, login, done } from './lib.mjs';

const user = `anb${uniq}`;
const adminName = `anbadm${uniq}`;
for (const [name, extra] of [[user, []], [adminName, ['--admin']]])
	execFileSync(`${process.env.PSS_BIN}/psscript`, ['user', 'add', name, `${name}@example.com`, ...extra,
	    '--password-stdin'], { input: `${PW}\n`, stdio: ['pipe', 'ignore', 'inherit'] });

const page = await newPage();
const api = page.request;
let token = '';

await step('scripts with findings, analysed by the job runner', async () => {
	const r = await api.post('/api/auth/login', { data: { username: user, password: PW } });
	token = (await r.json()).token;
	const auth = { Authorization: `Bearer ${token}` };
	const bodies = [
		'Invoke-Expression $cmd\nWrite-Host "hi"\n',
		'$p = ConvertTo-SecureString "pw" -AsPlainText -Force\nWrite-Host $p\n',
		'function Get-Thing { param($x) gci $x }\n',
	];
	for (const [i, content] of bodies.entries()) {
		const c = await api.post('/api/scripts', { headers: auth, data: { title: `Analytics ${uniq} ${i}`,
		    content: `# ${uniq} ${i}\n${content}`, isPublic: i !== 2, categoryId: 1 + i } });
		ok(c.status() === 201, `script ${i} stored`, await c.text());
	}
	let analysed = 0;
	for (let t = 0; t < 60 && analysed < 3; t++) {
		const s = await (await api.get('/api/analytics/summary', { headers: auth })).json();
		analysed = s.security.totalScriptsAnalyzed;
		if (analysed < 3)
			await page.waitForTimeout(500);
	}
	ok(analysed >= 3, 'the analyses show in the figures', analysed);
});

await step('the analytics page: charts with title, description and a table', async () => {
	await login(page, user);
	await page.goto('/analytics');
	ok(await page.title() === 'Analytics · PSScript', 'title', await page.title());
	const svgs = page.locator('svg.chart');
	ok(await svgs.count() === 5, 'five charts', await svgs.count());
	for (let i = 0; i < 5; i++) {
		const s = svgs.nth(i);
		const label = await s.getAttribute('aria-labelledby');
		ok(await s.getAttribute('role') === 'img' && label && label.split(' ').length === 2,
		    `chart ${i}: role img, labelled by its title and description`);
		ok((await s.locator('title').textContent()).length > 3 && (await s.locator('desc').textContent()).length > 10,
		    `chart ${i}: a title and a description`);
	}
	ok(await page.locator('table.chart-table').count() >= 5, 'a table under each chart');
	ok(await page.locator('text=Public scripts and your own').count() === 1, 'the page says what it counts');
	// the numbers of the risk chart are text in it and in its table
	const riskText = await page.locator('#chart-risk-desc').textContent();
	ok(/\d+ high, \d+ medium, \d+ low/.test(riskText), 'the risk chart describes its numbers', riskText);
	await shot(page, 'analytics');
});

await step('a finding links to the scripts that have it', async () => {
	const link = page.locator('section:has(#a-issues) table a[href^="/analytics/rules/"]').first();
	const rule = (await link.textContent()).trim();
	await Promise.all([page.waitForURL(`**/analytics/rules/${rule}`), link.click()]);
	ok((await page.locator('h1').textContent()).includes(rule), 'the finding page', rule);
	ok(await page.locator(`a:has-text("Analytics ${uniq}")`).count() >= 1, 'it lists a script of ours');
});

await step('the filter form', async () => {
	await page.goto('/analytics');
	await page.selectOption('#f-days', '7');
	await Promise.all([page.waitForURL('**/analytics?days=7*'), page.click('.analytics-filter button')]);
	ok(await page.locator('#chart-daily-desc').textContent().then((t) => t.includes('last 7 days')),
	    'seven days drawn');
	await page.goto('/analytics?days=3');
	ok((await page.locator('main').textContent()).includes('days'), 'a bad period: a readable error page');
});

await step('375 px and dark mode', async () => {
	const p = await newPage(PHONE);
	await login(p, user);
	await p.goto('/analytics');
	const w = await p.evaluate(() => document.documentElement.scrollWidth);
	ok(w <= PHONE.width, 'no sideways scrolling at 375 px', w);
	const box = await p.locator('svg.chart').first().boundingBox();
	ok(box && box.width <= PHONE.width, 'the charts fit the phone', box);
	// a table's long rule ids and titles wrap: every column (the figures too) on screen
	const wide = await p.evaluate(() => [...document.querySelectorAll('.table-wrap')]
	    .filter((w) => w.scrollWidth > w.clientWidth + 1).map((w) => w.querySelector('caption, th')?.textContent));
	ok(wide.length === 0, 'no table scrolls sideways at 375 px', wide);
	await shot(p, 'analytics');
	const light = await p.evaluate(() => getComputedStyle(document.querySelector('.svg-text')).fill);
	await p.emulateMedia({ colorScheme: 'dark' });
	const dark = await p.evaluate(() => getComputedStyle(document.querySelector('.svg-text')).fill);
	ok(light !== dark, 'the chart text follows the dark theme', { light, dark });
	await shot(p, 'analytics-dark');
	await p.goto('/');
	ok(await p.locator('text=Security at a glance').count() === 1, 'the dashboard summary');
	ok(await p.locator('main a[href="/analytics"]').count() >= 1, 'it links to the analytics');
	await shot(p, 'dashboard-analytics-dark');
	const rule = await p.goto('/analytics/rules/PSAvoidUsingConvertToSecureStringWithPlainText');
	ok(rule.status() === 200, 'a finding with a long id', rule.status());
	const rw = await p.evaluate(() => document.documentElement.scrollWidth);
	ok(rw <= PHONE.width, 'its page fits 375 px', rw);
	await shot(p, 'analytics-rule-dark');
	await p.context().close();
});

await step('operations: targets marked in text', async () => {
	const p = await newPage(PHONE);
	await login(p, adminName);
	await p.goto('/admin/operations');
	ok(await p.title() === 'Operations · PSScript', 'title', await p.title());
	const rows = p.locator('table.ops-targets tbody tr');
	ok(await rows.count() === 4, 'four targets', await rows.count());
	for (let i = 0; i < 4; i++) {
		const t = await rows.nth(i).locator('td').last().textContent();
		ok(t === 'OK' || t === 'Exceeded', `target ${i} says OK or Exceeded in words`, t);
	}
	ok((await p.locator('main').textContent()).includes('psscript-fcgi'), 'the worker processes are listed');
	const w = await p.evaluate(() => document.documentElement.scrollWidth);
	ok(w <= PHONE.width, 'no sideways scrolling at 375 px', w);
	await shot(p, 'operations');
	await p.emulateMedia({ colorScheme: 'dark' });
	await shot(p, 'operations-dark');
	const q = await newPage(DESKTOP);
	await login(q, user);
	const r = await q.goto('/admin/operations');
	ok(r.status() === 403, 'a user may not see it', r.status());
	await q.context().close();
	await p.context().close();
});

await done();
