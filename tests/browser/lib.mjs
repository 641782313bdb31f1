// lib.mjs: what the browser suites can share (library.test.mjs and pages.test.mjs use
// it): TAP test points, steps that fail alone, Debian's
// chromium through playwright-core with CSP and script errors collected, screenshots, the
// login form, and the keyboard focus.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

export const base = process.env.PSS_TEST_URL;
export const artifacts = process.env.PSS_ARTIFACTS || fs.mkdtempSync('/tmp/pss-browser-');
export const PW = 'Passw0rd-ok';
export const PHONE = { width: 375, height: 740 };
export const DESKTOP = { width: 1280, height: 800 };
export const uniq = `${process.pid}${Date.now() % 100000}`;
export const cspErrors = [], jsErrors = [];

let n = 0, failed = 0;

// ok: one TAP test point; extra is shown when it fails.
export function ok(cond, name, extra) {
	n++;
	if (!cond)
		failed++;
	console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name}`);
	if (!cond && extra !== undefined)
		console.log('#   got: ' + String(typeof extra === 'string' ? extra : JSON.stringify(extra)).slice(0, 400));
}

// step: runs one named step; an exception fails it (with the message) and the suite goes on.
export async function step(name, fn) {
	try {
		await fn();
	} catch (e) {
		ok(false, `${name}: ${e.message.split('\n')[0]}`);
	}
}

export const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
	    '--disable-component-update', '--disable-sync'],
});

// newPage: a page in a context of its own (its own cookies) at the viewport's size; opts go
// to the context ({ javaScriptEnabled: false } for the pages without JavaScript).
export async function newPage(viewport = DESKTOP, opts = {}) {
	const ctx = await browser.newContext({ baseURL: base, ignoreHTTPSErrors: true, viewport, ...opts });
	const page = await ctx.newPage();
	page.on('console', (m) => {
		if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text()))
			cspErrors.push(`${page.url()}: ${m.text()}`);
	});
	page.on('pageerror', (e) => jsErrors.push(`${page.url()}: ${e.message}`));
	return page;
}

// shot: a full-page screenshot NAME-phone.png or NAME-desktop.png in the artifacts folder.
export async function shot(page, name) {
	const vp = page.viewportSize();
	const file = path.join(artifacts, `${name}-${vp.width < 600 ? 'phone' : 'desktop'}.png`);
	await page.screenshot({ path: file, fullPage: true });
	return file;
}

export const flash = (page) => page.locator('.flash').textContent({ timeout: 5000 });

export async function login(page, name, pw = PW) {
	await page.goto('/login');
	await page.fill('#login', name);
	await page.fill('#password', pw);
	await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
}

// focused: the element with the keyboard focus, and whether it shows an outline.
export const focused = (p) => p.evaluate(() => {
	const e = document.activeElement;
	const cs = getComputedStyle(e);
	return { id: e.id, tag: e.tagName, text: (e.textContent || '').trim().slice(0, 30),
	    outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0 };
});

// tabTo: Tab until the element with id stopId has the focus (at most max presses); the
// elements passed.
export async function tabTo(p, stopId, max = 60) {
	const seen = [];
	for (let i = 0; i < max; i++) {
		await p.keyboard.press('Tab');
		const el = await focused(p);
		seen.push(el);
		if (el.id === stopId)
			break;
	}
	return seen;
}

// done: no CSP violation nor script error on any page; the plan line and the exit status.
export async function done() {
	ok(cspErrors.length === 0, 'no Content-Security-Policy violations on any page', cspErrors);
	ok(jsErrors.length === 0, 'no script errors', jsErrors);
	await browser.close();
	console.log(`# screenshots in ${artifacts}`);
	console.log(`1..${n}`);
	process.exit(failed ? 1 : 0);
}
