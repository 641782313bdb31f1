// chat.test.mjs: the chat's pages in headless Chromium (Debian's, driven by playwright-core)
// against the real stack that tests/browser/run.sh starts. TAP output.
// Without JavaScript: ask from the navigation, the answer on the conversation's page with a
// source link that leads to the document, a follow-up, the history list, hostile HTML in a
// question shown as text, delete. With JavaScript: the answer streams from POST /api/chat
// (text/event-stream) into an aria-live region, then the server's rendering replaces it at
// the conversation's address; a hostile question stays text; "ask about this script" from a
// script page; delete all after the confirmation. 375 px without horizontal scrolling, the
// dark theme, screenshots.
//   PSS_TEST_URL, PSS_BIN: from the harness's env file; PSS_ARTIFACTS: the screenshots' folder
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { base, PW, PHONE, uniq, ok, step, newPage, flash, login, shot, done } from './lib.mjs';

const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ps = `${process.env.PSS_BIN}/psscript`;
const EVIL = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> & "q"';

execFileSync(ps, ['docs', 'import', `${top}/data/powershell-docs`], { stdio: ['ignore', 'ignore', 'inherit'] });
const name = `bchat${uniq}`;
execFileSync(ps, ['user', 'add', name, `${name}@example.com`, '--password-stdin'],
    { input: `${PW}\n`, stdio: ['pipe', 'ignore', 'inherit'] });

const convPath = (u) => new URL(u).pathname;
const isConv = (u) => /^\/chat\/[0-9]+$/.test(convPath(u));

// ---- without JavaScript ----
const nojs = await newPage(undefined, { javaScriptEnabled: false });
await login(nojs, name);
let firstConv = '';

await step('without JavaScript: ask, and the answer with its sources is on the page', async () => {
	await nojs.goto('/');
	await Promise.all([nojs.waitForNavigation(), nojs.click('nav a[href="/chat"]')]);
	ok(await nojs.title() === 'Chat · PSScript', 'the chat page from the navigation', await nojs.title());
	ok(await nojs.locator('label[for="message"]').count() === 1, 'the question has a label');
	await nojs.fill('#message', 'How do I list the files in a folder?');
	await Promise.all([nojs.waitForNavigation(), nojs.click('#chat-send')]);
	firstConv = convPath(nojs.url());
	ok(isConv(nojs.url()), 'post, then redirect to the conversation', nojs.url());
	ok(await nojs.locator('.chat-user .chat-text').first().textContent() === 'How do I list the files in a folder?',
	    'the question is shown');
	const answer = await nojs.locator('.chat-answer').first().textContent();
	ok(answer.includes('Get-ChildItem'), 'the answer names Get-ChildItem', answer.slice(0, 200));
	const src = nojs.locator('.chat-sources a[href^="/docs/"]').first();
	ok(await src.count() === 1, 'a documentation source as a link');
	await shot(nojs, 'chat-answer-nojs');
	await Promise.all([nojs.waitForNavigation(), src.click()]);
	ok(/^\/docs\/[0-9]+$/.test(convPath(nojs.url())), 'the source leads to the document', nojs.url());
});

await step('without JavaScript: a follow-up, and the history list', async () => {
	await nojs.goto(firstConv);
	await nojs.fill('#message', 'And how do I sort them by size?');
	// by keyboard: the button is below the answers, and a click waits for the smooth scroll
	// (app.css) to settle, which Chromium without JavaScript never reports
	await nojs.focus('#chat-send');
	await Promise.all([nojs.waitForNavigation(), nojs.keyboard.press('Enter')]);
	ok(convPath(nojs.url()) === firstConv, 'the same conversation', nojs.url());
	ok(await nojs.locator('.chat-user').count() === 2 && await nojs.locator('.chat-answer').count() === 2,
	    'two questions, two answers');
	await nojs.goto('/chat');
	ok(await nojs.locator(`.chat-list a[href="${firstConv}"]`).count() === 1, 'the conversation is in the list');
});

await step('without JavaScript: hostile HTML in a question stays text', async () => {
	await nojs.goto('/chat');
	await nojs.fill('#message', EVIL);
	await Promise.all([nojs.waitForNavigation(), nojs.click('#chat-send')]);
	ok(await nojs.locator('.chat-user .chat-text').first().textContent() === EVIL, 'the question shown as typed');
	ok(await nojs.locator('main img, main script').count() === 0, 'no element made from it');
	// delete it (without JavaScript there is no confirmation: the form posts)
	await Promise.all([nojs.waitForNavigation(), nojs.click('.chat-delete button')]);
	ok(convPath(nojs.url()) === '/chat', 'back to the list', nojs.url());
	ok((await flash(nojs)).includes('The conversation was deleted.'), 'the flash says so');
	ok(await nojs.locator('.chat-list li').count() === 1, 'one conversation left');
});

// ---- with JavaScript ----
const page = await newPage();
await login(page, name);
page.on('dialog', (d) => d.accept());
const streamed = [];
page.on('request', (r) => {
	if (r.url().endsWith('/api/chat') && r.method() === 'POST')
		streamed.push(r.headers().accept);
});

// watchLive: records whether an aria-live region showed the answer while it streamed.
const watchLive = (p) => p.evaluate(() => {
	window.__live = [];
	new MutationObserver(() => {
		const e = document.getElementById('chat-streaming');
		if (e)
			window.__live.push({ live: e.getAttribute('aria-live'), busy: e.getAttribute('aria-busy'),
			    html: e.innerHTML, text: e.textContent });
	}).observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
});

await step('with JavaScript: the answer streams, then the rendered answer at its address', async () => {
	await page.goto('/chat');
	await watchLive(page);
	await page.fill('#message', 'How can I stop a process by name?');
	await page.click('#chat-send');
	await page.waitForFunction(() => /^\/chat\/[0-9]+$/.test(location.pathname) &&
	    document.querySelector('.chat-answer'), null, { timeout: 15000 });
	ok(streamed.length === 1 && streamed[0] === 'text/event-stream', 'POST /api/chat asked for a stream', streamed);
	const live = await page.evaluate(() => window.__live);
	ok(live.some((l) => l.live === 'polite' && l.busy === 'true'), 'the streamed answer is in an aria-live region, busy while it arrives', live.slice(0, 2));
	ok(live.some((l) => l.text.length > 0 && l.html === l.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')),
	    'the streamed text is text (no markup made from it)', live.slice(-1));
	const answer = await page.locator('.chat-answer').first().textContent();
	ok(answer.includes('Stop-Process'), 'the rendered answer names Stop-Process', answer.slice(0, 200));
	ok(await page.locator('.chat-sources a[href^="/docs/"]').count() > 0, 'with its sources as links');
	const focus = await page.evaluate(() => document.activeElement && document.activeElement.className);
	ok(focus === 'chat-msg chat-assistant', 'the focus is on the new answer', focus);
	ok(await page.locator('#chat-status[role="status"]').textContent() === 'The answer is complete.',
	    'a status region says the answer is complete');
	await page.reload();
	ok(await page.locator('.chat-user .chat-text').first().textContent() === 'How can I stop a process by name?',
	    'the address is the stored conversation');
	await shot(page, 'chat-answer-js');
});

// startModel: the stand-in model on loopback, and the FastCGI workers restarted to use it
// (undefined: back to none). Returns the stand-in's process.
const restartFcgi = (env) => execFileSync(process.env.PSS_HARNESS,
    ['ctl', process.env.PSS_TEST_STATE, 'fcgi-restart'], { env: { ...process.env, ...env }, stdio: 'ignore' });
async function startModel(mode) {
	const portFile = `${process.env.PSS_TEST_STATE}/bchat-standin.port`;
	fs.rmSync(portFile, { force: true });
	const proc = spawn('python3', [`${top}/tests/standin/ai-standin.py`, portFile, mode], { stdio: 'ignore' });
	for (let i = 0; i < 100 && !fs.existsSync(portFile); i++)
		await new Promise((r) => setTimeout(r, 100));
	const url = `http://127.0.0.1:${fs.readFileSync(portFile, 'utf8').trim()}`;
	restartFcgi({ AI_API_URL: `${url}/v1`, AI_MODEL: 'standin-model', AI_TIMEOUT_MS: '3000' });
	proc.url = url;
	return proc;
}
// askWatched: a question from /chat with JavaScript, its streamed text recorded (watchLive),
// until the rendered conversation is at its address
async function askWatched(question) {
	await page.goto('/chat');
	await watchLive(page);
	await page.fill('#message', question);
	await page.click('#chat-send');
	await page.waitForFunction(() => /^\/chat\/[0-9]+$/.test(location.pathname) &&
	    document.querySelector('.chat-answer'), null, { timeout: 20000 });
}
async function healthy() {
	for (let i = 0; i < 50; i++) {
		try {
			if ((await fetch(`${base}/api/health`)).ok)
				return;
		} catch (e) { /* starting */ }
		await new Promise((r) => setTimeout(r, 100));
	}
}

await step('with a model: its tokens stream in as text, the rendered answer is safe', async () => {
	const model = await startModel('chat');
	try {
		await healthy();
		await askWatched('How do I stop a service?');
		const live = await page.evaluate(() => window.__live);
		const texts = [...new Set(live.map((l) => l.text).filter((t) => t.length > 0))];
		ok(texts.length >= 2 && texts[0].startsWith('Model answer over'),
		    'the model\'s answer arrived in pieces, as it was written', texts.slice(0, 3));
		ok(live.every((l) => !/<(img|script)/i.test(l.text) && !/<(img|script)/i.test(l.html)),
		    'its HTML never reached the page, not even as text', live.slice(-1));
		ok(await page.evaluate(() => window.__pwned === undefined), 'nothing of it ran');
		const answer = await page.locator('.chat-answer').first().textContent();
		ok(answer.includes('Model answer over') && !answer.includes('[9]'),
		    'the rendered answer is the model\'s, with only retrieved sources cited', answer.slice(0, 200));
		ok(await page.locator('main .chat-answer img, main .chat-answer script').count() === 0,
		    'no element made from the model\'s HTML');
		ok(await page.locator('.chat-answer pre code').count() >= 1, 'its code block is code');
		await shot(page, 'chat-answer-model-stream');

		await fetch(`${model.url}/_mode?set=chatstall`);
		await askWatched('How do I stop a service?');
		const live2 = await page.evaluate(() => window.__live);
		ok(live2.some((l) => l.text.startsWith('Model answer over')), 'the model began', live2.slice(0, 1));
		const answer2 = await page.locator('.chat-answer').first().textContent();
		ok(answer2.includes('did not answer (timeout)') && answer2.includes('Stop-Service') &&
		    !answer2.includes('Model answer over'),
		    'stopped mid-answer: the platform\'s own answer replaces it, saying why', answer2.slice(0, 200));
	} finally {
		model.kill();
		restartFcgi({});
		await healthy();
	}
});

await step('with JavaScript: a hostile question stays text', async () => {
	await page.goto('/chat');
	await page.fill('#message', EVIL);
	await page.click('#chat-send');
	await page.waitForFunction(() => /^\/chat\/[0-9]+$/.test(location.pathname) &&
	    document.querySelector('.chat-answer'), null, { timeout: 15000 });
	ok(await page.evaluate(() => window.__pwned === undefined), 'nothing of it ran');
	ok(await page.locator('.chat-user .chat-text').first().textContent() === EVIL, 'shown as typed');
	ok(await page.locator('main img, main script').count() === 0, 'no element made from it');
});

await step('ask about this script from its page', async () => {
	await page.goto('/scripts/new');
	await page.fill('#title', `Cleanup ${uniq}`);
	await page.fill('#content', 'Get-ChildItem -Path $env:TEMP -Recurse | Remove-Item -Force\n');
	await Promise.all([page.waitForURL(/\/scripts\/[0-9]+$/), page.click('form[action="/scripts"] button[type=submit]')]);
	const scriptPath = convPath(page.url());
	await Promise.all([page.waitForNavigation(), page.click('a:has-text("Ask about this script")')]);
	ok(convPath(page.url()) === '/chat' && page.url().includes('scriptId='), 'to the chat with the script', page.url());
	ok((await page.locator('.chat-about').textContent()).includes(`Cleanup ${uniq}`), 'it names the script');
	await page.fill('#message', 'What does this script do?');
	await page.click('#chat-send');
	await page.waitForFunction(() => /^\/chat\/[0-9]+$/.test(location.pathname) &&
	    document.querySelector('.chat-answer'), null, { timeout: 15000 });
	ok(await page.locator(`.chat-sources a[href="${scriptPath}"]`).count() === 1, 'the script is a source', scriptPath);
});

await step('at 375 px and in the dark theme the pages fit and follow the theme', async () => {
	const phone = await newPage(PHONE, { colorScheme: 'dark' });
	await login(phone, name);
	for (const [label, url] of [['list', '/chat'], ['conversation', firstConv]]) {
		await phone.goto(url);
		const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
		ok(overflow <= 1, `${label}: no horizontal scrolling at 375 px`, overflow);
		await shot(phone, `chat-${label}-dark`);
	}
	const bg = await phone.evaluate(() => getComputedStyle(document.querySelector('.chat-msg.chat-assistant')).backgroundColor);
	ok(bg === 'rgb(13, 17, 23)', 'an answer on the dark background', bg);
	await phone.context().close();
});

await step('search, then delete all after the confirmation', async () => {
	await page.goto('/chat');
	await page.fill('#q', 'process');
	await Promise.all([page.waitForNavigation(), page.click('.chat-search button')]);
	const found = await page.locator('.chat-list li').allTextContents();
	ok(found.length >= 1 && found.every((t) => /process/i.test(t)), 'the search finds the conversation about processes', found);
	await page.goto('/chat');
	await Promise.all([page.waitForNavigation(), page.click('.chat-delete-all button')]);
	ok((await flash(page)).includes('Your conversations were deleted.'), 'all deleted');
	ok(await page.locator('.chat-list li').count() === 0, 'the list is empty');
});

await nojs.context().close();
await done();
