// test-upload-stack.mjs: static/js/upload.js and tags.js against the real stack (nginx, the
// FastCGI workers, PostgreSQL, Redis and the job worker that processes the batch), in
// headless Chromium. TAP output.
//   tests/harness.sh start DIR && source DIR/env && node tests/js/test-upload-stack.mjs
// (PSS_TEST_URL from the harness's env file; playwright-core as for test-enhance.mjs.)
// The upload form is put into a real page of the signed-in user (the dashboard) with the
// page's own CSRF token, so the scripts meet the real API, session cookie, CSRF gate and
// Content-Security-Policy; the page route for uploads is the pages' and their suite's.
import { chromium, ok, done, skip } from './lib.mjs';

const found = chromium();
const base = process.env.PSS_TEST_URL;
if (!found || !base)
	skip('needs playwright-core, chromium and PSS_TEST_URL (a harness stack)');
const { pw, exe } = found;

const uniq = `${process.pid}${Date.now() % 100000}`;
const browser = await pw.launch({ executablePath: exe, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
	const ctx = await browser.newContext({ baseURL: base, ignoreHTTPSErrors: true });
	const p = await ctx.newPage();
	const errors = [];
	p.on('pageerror', e => errors.push(String(e)));
	p.on('console', m => { if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) errors.push(m.text()); });

	// a new user, signed in through the register page
	await p.goto('/register');
	await p.fill('input[name=username]', `up${uniq}`);
	await p.fill('input[name=email]', `up${uniq}@example.com`);
	await p.fill('input[name=password]', 'Passw0rd-ok');
	await Promise.all([p.waitForNavigation(), p.click('main form button[type=submit]')]);
	const token = await p.getAttribute('input[name=csrf_token]', 'value');
	ok(typeof token === 'string' && token.length > 0, 'signed in, the page has a CSRF token');

	// the upload form in the real page, then the two scripts (served by nginx)
	await p.evaluate(([token, uniq]) => {
		const main = document.querySelector('main');
		const f = document.createElement('form');
		f.method = 'post';
		f.action = '/nowhere';
		f.enctype = 'multipart/form-data';
		f.setAttribute('data-upload-async', '');
		f.innerHTML = `<input type="hidden" name="csrf_token" value="${token}"/>
		    <label for="files">Files</label><input type="file" id="files" name="files" multiple="multiple"/>
		    <label for="up-tags">Tags</label><input type="text" id="up-tags" name="tags" value="stk${uniq}-one, stk${uniq}-two"/>
		    <label for="more">More tags</label><input type="text" id="more" data-tag-autocomplete=""/>
		    <button type="submit">Upload</button>`;
		main.prepend(f);
		for (const s of ['/static/js/upload.js', '/static/js/tags.js']) {
			const el = document.createElement('script');
			el.src = s;
			document.head.appendChild(el);
		}
	}, [token, uniq]);
	await p.waitForFunction(() => document.querySelector('#more').getAttribute('list') !== null, null, { timeout: 10000 });

	await p.setInputFiles('#files', [
		{ name: `a${uniq}.ps1`, mimeType: 'text/plain', buffer: Buffer.from(`Get-Date # ${uniq} a\n`) },
		{ name: `b${uniq}.ps1`, mimeType: 'text/plain', buffer: Buffer.from(`Get-Date # ${uniq} a\n`) },
		{ name: `c${uniq}.exe`, mimeType: 'application/octet-stream', buffer: Buffer.from('MZ\x90\x00') }]);
	const t0 = Date.now();
	await p.click('main form button[type=submit]');
	await p.waitForFunction(() => /^Finished/.test(document.querySelector('[data-upload-summary]')?.textContent || ''),
	    null, { timeout: 60000 }).catch(() => {});
	const out = await p.evaluate(() => ({
		path: location.pathname,
		summary: document.querySelector('[data-upload-summary]')?.textContent,
		progress: [document.querySelector('[data-upload-progress]')?.value, document.querySelector('[data-upload-progress]')?.max],
		items: [...document.querySelectorAll('[data-upload-list] li')].map(li =>
		    [li.className, li.textContent, li.querySelector('a')?.getAttribute('href') || '']),
	}));
	console.log(`# batch of 3 finished in ${Date.now() - t0} ms`);
	ok(out.path === '/', 'the page stays', out.path);
	ok(out.summary === 'Finished: 1 new script, 1 already stored, 1 failed.', 'summary of the finished batch', out);
	ok(out.progress[0] === 3 && out.progress[1] === 3, 'progress bar full', out.progress);
	const byName = Object.fromEntries(out.items.map(i => [i[1].split(' ')[0], i]));
	const a = byName[`a${uniq}.ps1`], b = byName[`b${uniq}.ps1`], c = byName[`c${uniq}.exe`];
	// a and b have the same content: whichever the worker took first is new, the other a duplicate of it
	const states = [a, b].map(i => i && i[0]).sort();
	ok(JSON.stringify(states) === JSON.stringify(['is-completed', 'is-duplicate']) &&
	    a[2] !== '' && a[2] === b[2] && /^\/scripts\/\d+$/.test(a[2]), 'one new, one duplicate, both linking to the same script', out.items);
	ok(c && c[0] === 'is-failed' && /failed: ./.test(c[1]), 'the .exe failed with a reason', c);

	// the tags the upload created come back as suggestions
	await p.fill('#more', `stk${uniq}-o`);
	await p.waitForFunction(() => document.querySelectorAll('#more-suggestions option').length > 0, null, { timeout: 10000 }).catch(() => {});
	const opts = await p.evaluate(() => [...document.querySelectorAll('#more-suggestions option')].map(o => [o.value, o.label]));
	ok(JSON.stringify(opts) === JSON.stringify([[`stk${uniq}-one`, `stk${uniq}-one (1 script)`]]), 'tag suggestions from /api/tags', opts);
	ok(errors.length === 0, 'no script errors, nothing refused by the CSP', errors);
} finally {
	await browser.close();
}
done();
