// test-enhance.mjs: static/js/upload.js and static/js/tags.js in headless Chromium, TAP output.
//
// The scripts' own behaviour (what they send, how they follow a batch, what they put in the
// page) against a small scripted HTTP server that answers as API.md says; the flow against
// the real stack (nginx, workers, PostgreSQL, the job worker) is the browser suite's.
//   node tests/js/test-enhance.mjs
// needs playwright-core (found from here, in tests/browser/node_modules, or at
// $PLAYWRIGHT_CORE) and Chromium ($CHROMIUM, default /usr/bin/chromium); exits 77 (skip)
// without them. The page is served with Content-Security-Policy: default-src 'self', so an
// inline script or style in the scripts would fail it.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, ok, done, skip, top } from './lib.mjs';

const found = chromium();
if (!found)
	skip('playwright-core or chromium not found');
const { pw, exe } = found;

const page = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/><title>t</title>
<meta name="csrf-token" content="tok123"/>
<link rel="stylesheet" href="/static/css/highlight.css"/>
<script src="/static/js/upload.js" defer></script><script src="/static/js/tags.js" defer></script></head>
<body><form id="f" method="post" action="/noscript" enctype="multipart/form-data" data-upload-async="">
<input type="hidden" name="csrf_token" value="tok123"/>
<label for="files">Files</label><input type="file" id="files" name="files" multiple/>
<label for="tags">Tags</label><input type="text" id="tags" name="tags" data-tag-autocomplete=""/>
<button type="submit">Upload</button></form></body></html>`;

let polls = 0, posted = null, tagQueries = [], failUpload = false;
const server = http.createServer((req, res) => {
	const u = new URL(req.url, 'http://x');
	const json = (status, o) => {
		res.statusCode = status;
		res.setHeader('Content-Type', 'application/json');
		res.end(JSON.stringify(o));
	};
	if (u.pathname === '/') {
		res.setHeader('Content-Security-Policy', "default-src 'self'");
		res.setHeader('Content-Type', 'text/html; charset=utf-8');
		res.end(page);
	} else if (/^\/static\/(css|js)\/[a-z]+\.(css|js)$/.test(u.pathname)) {
		res.setHeader('Content-Type', u.pathname.endsWith('.js') ? 'text/javascript' : 'text/css');
		res.end(fs.readFileSync(path.join(top, u.pathname)));
	} else if (u.pathname === '/api/scripts/upload/async' && req.method === 'POST') {
		const chunks = [];
		req.on('data', d => chunks.push(d));
		req.on('end', () => {
			posted = { csrf: req.headers['x-csrf-token'], type: req.headers['content-type'],
			    body: Buffer.concat(chunks).toString('latin1') };
			if (failUpload)
				return json(401, { success: false, error: 'unauthorized', message: 'Please log in again.' });
			json(202, { success: true, batchId: 'b-1', uploads: [
				{ uploadId: 'u1', filename: 'a.ps1', status: 'queued' },
				{ uploadId: 'u2', filename: 'b<x>.ps1', status: 'queued' },
				{ uploadId: 'u3', filename: 'c.ps1', status: 'queued' }] });
		});
	} else if (u.pathname === '/api/scripts/upload/batch/b-1') {
		polls++;
		const st = polls < 2 ? ['processing', 'queued', 'queued'] :
		    polls < 3 ? ['completed', 'processing', 'queued'] : ['completed', 'duplicate', 'failed'];
		const finished = st.filter(s => s !== 'queued' && s !== 'processing').length;
		json(200, { success: true, batchId: 'b-1', total: 3, done: finished,
		    failed: st.filter(s => s === 'failed').length, uploads: [
			{ uploadId: 'u1', filename: 'a.ps1', status: st[0], scriptId: st[0] === 'completed' ? 11 : null },
			{ uploadId: 'u2', filename: 'b<x>.ps1', status: st[1], existingScriptId: st[1] === 'duplicate' ? 7 : null },
			{ uploadId: 'u3', filename: 'c.ps1', status: st[2], error: st[2] === 'failed' ? 'Not a PowerShell file' : null }] });
	} else if (u.pathname === '/api/tags') {
		tagQueries.push(u.search);
		const all = [{ id: 1, name: 'network', count: 5 }, { id: 2, name: 'netsh', count: 1 }, { id: 3, name: 'admin', count: 9 }];
		json(200, { success: true, tags: all.filter(t => t.name.startsWith(u.searchParams.get('q') || '')) });
	} else {
		res.statusCode = 404;
		res.end();
	}
});
await new Promise(r => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await pw.launch({ executablePath: exe, args: ['--no-sandbox'] });
try {
	const p = await browser.newPage();
	const errors = [];
	p.on('pageerror', e => errors.push(String(e)));
	p.on('console', m => { if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) errors.push(m.text()); });
	await p.goto(base + '/');

	// upload: three files, followed to the end
	const files = [
		{ name: 'a.ps1', mimeType: 'text/plain', buffer: Buffer.from('Get-Date\n') },
		{ name: 'b<x>.ps1', mimeType: 'text/plain', buffer: Buffer.from('$x = 1\n') },
		{ name: 'c.ps1', mimeType: 'text/plain', buffer: Buffer.from('x') }];
	await p.setInputFiles('#files', files);
	await p.click('button[type=submit]');
	await p.waitForFunction(() => /Finished/.test(document.querySelector('[data-upload-summary]')?.textContent || ''),
	    null, { timeout: 20000 });
	const out = await p.evaluate(() => ({
		path: location.pathname,
		summary: document.querySelector('[data-upload-summary]').textContent,
		live: document.querySelector('[data-upload-summary]').getAttribute('aria-live'),
		progress: [document.querySelector('[data-upload-progress]').value, document.querySelector('[data-upload-progress]').max],
		items: [...document.querySelectorAll('[data-upload-list] li')].map(li =>
		    [li.className, li.textContent, li.querySelector('a')?.getAttribute('href') || '']),
		html: document.querySelector('[data-upload-list]').innerHTML,
		disabled: document.querySelector('button').disabled,
		fileCount: document.querySelector('#files').files.length,
	}));
	ok(out.path === '/', 'the page stays (the submit was intercepted)', out.path);
	ok(posted && posted.csrf === 'tok123', 'X-CSRF-Token sent', posted && posted.csrf);
	ok(posted && /^multipart\/form-data; boundary=/.test(posted.type) &&
	    (posted.body.match(/name="files"; filename=/g) || []).length === 3 &&
	    /name="csrf_token"\r\n\r\ntok123/.test(posted.body), 'multipart with three files and the form fields');
	ok(polls === 3, 'polled the batch until done == total', polls);
	ok(out.progress[0] === 3 && out.progress[1] === 3, 'progress bar full', out.progress);
	ok(out.summary === 'Finished: 1 new script, 1 already stored, 1 failed.' && out.live === 'polite',
	    'summary in a polite live region', out.summary);
	ok(JSON.stringify(out.items) === JSON.stringify([
		['is-completed', 'a.ps1 done', '/scripts/11'],
		['is-duplicate', 'b<x>.ps1 already stored', '/scripts/7'],
		['is-failed', 'c.ps1 failed: Not a PowerShell file', '']]), 'one item per file with its state and link', out.items);
	ok(out.html.includes('b&lt;x&gt;.ps1') && !out.html.includes('<x>'), 'file names inserted as text', out.html);
	ok(!out.disabled && out.fileCount === 0, 'button enabled again, file input cleared', out);

	// an error answer shows its message
	failUpload = true;
	await p.setInputFiles('#files', files.slice(0, 1));
	await p.click('button[type=submit]');
	await p.waitForFunction(() => /log in again/.test(document.querySelector('[data-upload-summary]').textContent),
	    null, { timeout: 10000 }).catch(() => {});
	const msg = await p.textContent('[data-upload-summary]');
	ok(msg === 'Please log in again.', 'an error answer shows its message', msg);

	// tags: a datalist completing the last item of the list
	await p.fill('#tags', 'admin, net');
	await p.waitForFunction(() => document.querySelectorAll('#tags-suggestions option').length === 2, null,
	    { timeout: 5000 }).catch(() => {});
	const opts = await p.evaluate(() => [...document.querySelectorAll('#tags-suggestions option')].map(o => [o.value, o.label]));
	ok((await p.getAttribute('#tags', 'list')) === 'tags-suggestions', 'the input is linked to a datalist');
	ok(JSON.stringify(opts) === JSON.stringify([['admin, network', 'network (5 scripts)'], ['admin, netsh', 'netsh (1 script)']]),
	    'suggestions complete the last item', opts);
	ok(tagQueries.length === 1 && tagQueries[0] === '?q=net&limit=8', 'one debounced request with q and limit', tagQueries);
	await p.fill('#tags', 'admin, ad');
	await p.waitForTimeout(600);
	const opts2 = await p.evaluate(() => [...document.querySelectorAll('#tags-suggestions option')].map(o => o.value));
	ok(opts2.length === 0, 'tags already in the list are not suggested', opts2);
	ok(errors.length === 0, 'no script errors (and nothing blocked by the CSP)', errors);
} finally {
	await browser.close();
	server.close();
}
done();
