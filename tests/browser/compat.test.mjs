// compat.test.mjs: the original frontend's way of writing, in a real browser (headless
// Chromium): it logs in through the JSON API (which sets the session cookie) and then uploads
// multipart with neither a bearer token nor a CSRF token, relying on the cookie; the browser's
// own Fetch Metadata (Sec-Fetch-Site: same-origin) is what lets the write through
// (docs/compat.md). The header checks, cross-site refusals included, are in
// tests/integration/test-compat.c; this shows that Chromium sends what that rule expects.
// Then its analysis page's EventSource on the analysis stream, as Chromium runs it.
//   PSS_TEST_URL, PSS_BIN: from the harness's env file
import { execFileSync } from 'node:child_process';
import { PW, uniq, ok, step, newPage, done } from './lib.mjs';

const user = `bcompat${uniq}`;
execFileSync(`${process.env.PSS_BIN}/psscript`, ['user', 'add', user, `${user}@example.com`,
    '--password-stdin'], { input: `${PW}\n`, stdio: ['pipe', 'ignore', 'inherit'] });

const page = await newPage();
let token = '', scriptId = '';

await step('log in as the original client does (JSON, the answer sets the cookie)', async () => {
	await page.goto('/login');
	const r = await page.evaluate(async ([email, pw]) => {
		const res = await fetch('/api/auth/login', { method: 'POST',
		    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: pw }) });
		return { status: res.status, body: await res.json() };
	}, [`${user}@example.com`, PW]);
	ok(r.status === 200 && typeof r.body.token === 'string', 'logged in', r);
	token = r.body.token;
	const cookies = await page.context().cookies();
	ok(cookies.some((c) => c.name === '__Host-pss_session' && c.httpOnly), 'the HttpOnly session cookie is set');
});

await step('a multipart upload with only the cookie (no bearer, no CSRF token) is stored', async () => {
	const r = await page.evaluate(async (n) => {
		const fd = new FormData();
		const text = `Get-ChildItem -Path C:\\compat\\${n}\n`;
		fd.append('title', `Browser compat ${n}`);
		fd.append('content', text);
		fd.append('tags', JSON.stringify(['browser-compat']));
		fd.append('is_public', 'false');
		fd.append('analyze_with_ai', 'false');
		fd.append('script_file', new Blob([text], { type: 'application/octet-stream' }), `compat-${n}.ps1`);
		const res = await fetch('/api/scripts/upload', { method: 'POST', body: fd });
		return { status: res.status, body: await res.json() };
	}, uniq);
	ok(r.status === 201, 'the upload answers 201', r);
	ok(r.body.id !== undefined && r.body.script && r.body.id === r.body.script.id,
	    'the script id at the top level (as it reads) and under script', r.body);
	scriptId = String(r.body.id);
});

await step('a JSON write with only the cookie passes the same way', async () => {
	const st = await page.evaluate(async (n) => (await fetch('/api/tags', { method: 'POST',
	    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: `bc${n}` }) })).status, uniq);
	ok(st === 201, 'POST /api/tags answers 201', st);
});

await step('the script page reads title and content at the top level', async () => {
	const r = await page.evaluate(async ([id, t]) => {
		const res = await fetch(`/api/scripts/${id}`, { headers: { Authorization: `Bearer ${t}` } });
		return res.json();
	}, [scriptId, token]);
	ok(r.title === `Browser compat ${uniq}` && /compat/.test(r.content) && r.script.title === r.title,
	    'title and content beside success, and under script', r);
});

await step('its analysis page\'s EventSource (cookie, token in the query) follows the job to completed, then stops', async () => {
	// what its langgraphService.streamAnalysis opens; unlike it, this client does not close
	// the stream itself, so the browser's own reconnection after the end shows the 204 stop
	const r = await page.evaluate(async ([id, t]) => new Promise((resolve) => {
		const types = [];
		let completed = null;
		const es = new EventSource(`/api/scripts/${id}/analysis-stream?require_human_review=false&model=gpt-4.1&token=${t}`,
		    { withCredentials: true });
		es.onmessage = (e) => {
			const d = JSON.parse(e.data);
			types.push(d.type);
			if (d.type === 'completed') completed = d;
		};
		const t0 = Date.now();
		const tick = setInterval(() => {
			if (es.readyState === EventSource.CLOSED || Date.now() - t0 > 15000) {
				clearInterval(tick);
				resolve({ types, completed, closed: es.readyState === EventSource.CLOSED });
				es.close();
			}
		}, 100);
	}), [scriptId, token]);
	ok(r.types[0] === 'connected', 'the first event is connected', r.types);
	ok(r.completed && r.completed.data.analysis && r.completed.data.analysisState.status === 'done',
	    'completed carries the analysis', r.completed);
	ok(r.types.filter((x) => x === 'completed').length === 1, 'one completed, never repeated', r.types);
	ok(r.closed, 'EventSource stopped after the end (its reconnection got 204)', r);
});

await done();
