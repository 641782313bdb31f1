// lib.mjs: what the tests in tests/js share: finding playwright-core and Chromium, and TAP.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const top = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// chromium: playwright-core's chromium (from $PLAYWRIGHT_CORE, the usual resolution, or the
// browser suite's tests/browser/node_modules) and the browser's path, or null when missing.
export function chromium() {
	const require = createRequire(import.meta.url);
	const exe = process.env.CHROMIUM || '/usr/bin/chromium';
	for (const m of [process.env.PLAYWRIGHT_CORE, 'playwright-core',
	    path.join(top, 'tests/browser/node_modules/playwright-core')]) {
		if (!m)
			continue;
		try {
			const pw = require(m).chromium;
			return fs.existsSync(exe) ? { pw, exe } : null;
		} catch (e) { /* the next place */ }
	}
	return null;
}

let n = 0, failed = 0;

// ok: one TAP test point; extra is shown when it fails.
export function ok(cond, name, extra) {
	n++;
	if (!cond)
		failed++;
	console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name}`);
	if (!cond && extra !== undefined)
		console.log('#   got: ' + JSON.stringify(extra).slice(0, 600));
}

// done: the plan line and the exit status.
export function done() {
	console.log(`1..${n}`);
	process.exit(failed ? 1 : 0);
}

// skip: a whole suite skipped (exit 77, automake's SKIP).
export function skip(why) {
	console.log(`1..0 # SKIP ${why}`);
	process.exit(77);
}
