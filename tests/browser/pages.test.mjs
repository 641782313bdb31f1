// pages.test.mjs: the account and admin pages in headless Chromium (Debian's, driven by
// playwright-core) against the real stack that tests/browser/run.sh starts. TAP output.
//   PSS_TEST_URL, PSSCRIPT_CONFIG, PSS_BIN: from the harness's env file
//   PSS_ARTIFACTS: the folder for screenshots (phone and desktop widths)
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { base, PW, PHONE, DESKTOP, uniq, ok, step, newPage, shot, flash, login, tabTo, done }
    from './lib.mjs';

const NEWPW = 'N3w-Passw0rd!';
const h1 = (page) => page.locator('h1').first().textContent();

async function logout(page) {
	await Promise.all([page.waitForURL('**/login'), page.click('header button:has-text("Log out")')]);
}

const user = `bro${uniq}`;
const victim = `vic${uniq}`;
const adminName = `badm${uniq}`;

// An administrator from the command line, as an operator makes one.
execFileSync(`${process.env.PSS_BIN}/psscript`, ['user', 'add', adminName, `${adminName}@example.com`,
    '--admin', '--password-stdin'], { input: `${PW}\n`, stdio: ['pipe', 'ignore', 'inherit'] });

const page = await newPage();

await step('register', async () => {
	await page.goto('/register');
	ok(await page.title() === 'Create an account · PSScript', 'register page title', await page.title());
	await page.fill('#username', user);
	await page.fill('#email', `${user}@example.com`);
	await page.fill('#password', PW);
	await Promise.all([page.waitForURL(base + '/'), page.click('main button[type=submit]')]);
	ok((await flash(page)).includes('Your account is ready'), 'register: flash after the redirect');
	ok((await h1(page)) === `Welcome, ${user}`, 'register: signed in on the dashboard', await h1(page));
	await page.reload();
	ok(await page.locator('.flash').count() === 0, 'the flash is shown once');
});

await step('log out and log in', async () => {
	await logout(page);
	ok((await flash(page)).includes('logged out'), 'log out: back on the login page with a flash');
	await page.goto('/account');
	ok(page.url().startsWith(base + '/login?next='), 'a signed-out visitor is sent to log in', page.url());
	await page.fill('#login', user);
	await page.fill('#password', 'Wrong-pass-1');
	await Promise.all([page.waitForNavigation(), page.press('#password', 'Enter')]);
	ok((await page.locator('.form-error').textContent()).includes('Invalid'), 'a wrong password: the form again with the message');
	ok(await page.inputValue('#login') === user && await page.inputValue('#password') === '',
	    'the login is kept, the password is not');
	await page.fill('#password', PW);
	await Promise.all([page.waitForURL(base + '/account'), page.press('#password', 'Enter')]);
	ok(true, 'log in goes back to the page asked for (next)');
});

await step('change password', async () => {
	await page.goto('/account');
	await page.click('text=Change your password');
	ok(page.url() === base + '/account/password', 'the password page', page.url());
	await page.fill('#currentPassword', PW);
	await page.fill('#newPassword', NEWPW);
	await Promise.all([page.waitForURL(base + '/account'), page.click('main button[type=submit]')]);
	ok((await flash(page)).includes('password was changed'), 'change password: flash on the account page');
	await logout(page);
	await login(page, user, PW);
	ok(await page.locator('.form-error').count() === 1, 'the old password no longer works');
	await login(page, user, NEWPW);
	ok(page.url() === base + '/', 'the new one does', page.url());
	await logout(page);
});

await step('ending this session asks first (app.js), and works', async () => {
	await login(page, user, NEWPW);
	await page.goto('/account');
	const mine = page.locator('tr.current button');
	page.once('dialog', (d) => d.dismiss());
	await mine.click();
	await page.waitForTimeout(300);
	ok(page.url() === base + '/account', 'cancelling the confirmation keeps the session', page.url());
	page.once('dialog', (d) => d.accept());
	await Promise.all([page.waitForURL(/\/login\?next=/), mine.click()]);
	ok(true, 'confirming it signs this browser out');
});

await step('admin locks and unlocks a user', async () => {
	const v = await newPage();
	await v.goto('/register');
	await v.fill('#username', victim);
	await v.fill('#email', `${victim}@example.com`);
	await v.fill('#password', PW);
	await Promise.all([v.waitForURL(base + '/'), v.click('main button[type=submit]')]);
	await logout(v);
	// five wrong passwords from another browser lock the account; then even the right one is
	// refused there, but the victim's own browser (its device cookie) still gets in
	const g = await newPage();
	for (let i = 0; i < 5; i++)
		await login(g, victim, `Wrong-pass-${i}`);
	ok((await g.locator('.form-error').textContent()).includes('locked'), 'the fifth failure locks the account');
	await login(g, victim, PW);
	ok((await g.locator('.form-error').textContent()).includes('locked'), 'a locked account refuses the right password');
	await login(v, victim, PW);
	ok(v.url() === base + '/', 'the owner\'s browser is not locked out', v.url());
	await logout(v);

	const a = await newPage();
	await login(a, adminName, PW);
	await a.goto('/admin/users?limit=100');
	const row = a.locator('tr', { hasText: victim });
	ok((await row.textContent()).includes('Locked until'), 'the users page shows the lock');
	await shot(a, 'admin-users');
	await row.locator('a').first().click();
	await a.waitForURL(/\/admin\/users\/\d+$/);
	ok((await a.locator('main table').last().textContent()).includes('account'), 'the user page lists the lock');
	await shot(a, 'admin-user');
	await Promise.all([a.waitForNavigation(), a.click('text=Unlock the account')]);
	ok((await flash(a)).includes('unlocked'), 'unlock: flash on the user page');
	ok(!(await a.locator('main').textContent()).includes('Locked until'), 'the user is no longer locked');
	await login(g, victim, PW);
	ok(g.url() === base + '/', 'the unlocked user logs in anywhere', g.url());
	await g.context().close();
	await v.context().close();
	await a.context().close();
});

// Keyboard only: Tab from the top reaches the skip link first, then the header, then the
// form's fields in order; Enter in the last field sends the form.
await step('keyboard: login form', async () => {
	const p = await newPage();
	await p.goto('/login');
	const first = await tabTo(p, '__none__', 1);
	ok(first[0].text === 'Skip to the content' && first[0].outline, 'Tab 1 is the skip link, with a visible focus', first);
	await p.keyboard.press('Enter');
	ok(await p.evaluate(() => document.activeElement.id) === 'main', 'the skip link moves focus to main');
	await p.goto('/login');
	const seen = await tabTo(p, 'login');
	ok(seen.at(-1).id === 'login', 'Tab reaches the login field', seen.map((e) => e.id || e.text));
	ok(seen.every((e) => e.outline), 'every focused element shows an outline', seen);
	await p.keyboard.type(user);
	await p.keyboard.press('Tab');
	ok(await p.evaluate(() => document.activeElement.id) === 'password', 'then the password');
	await p.keyboard.type(NEWPW);
	await p.keyboard.press('Tab');
	ok(await p.evaluate(() => document.activeElement.tagName) === 'BUTTON', 'then the button');
	await p.keyboard.press('Shift+Tab');
	await Promise.all([p.waitForURL(base + '/'), p.keyboard.press('Enter')]);
	ok(true, 'Enter in the password field logs in');
	await p.context().close();
});

await step('keyboard: register form', async () => {
	const p = await newPage();
	await p.goto('/register');
	const seen = await tabTo(p, 'username');
	ok(seen.at(-1).id === 'username', 'Tab reaches the username field', seen.map((e) => e.id || e.text));
	const kb = `kb${uniq}`;
	await p.keyboard.type(kb);
	await p.keyboard.press('Tab');
	ok(await p.evaluate(() => document.activeElement.id) === 'email', 'then the email');
	await p.keyboard.type(`${kb}@example.com`);
	await p.keyboard.press('Tab');
	ok(await p.evaluate(() => document.activeElement.id) === 'password', 'then the password');
	await p.keyboard.type(PW);
	await Promise.all([p.waitForURL(base + '/'), p.keyboard.press('Enter')]);
	ok((await h1(p)) === `Welcome, ${kb}`, 'Enter registers', await h1(p));
	await p.context().close();
});

await step('screenshots and layout at phone and desktop widths', async () => {
	const pages = [['dashboard', '/'], ['account', '/account'], ['password', '/account/password'],
	    ['users', '/admin/users'], ['new-user', '/admin/users/new'], ['not-found', '/no/such/page']];
	const files = [];
	for (const vp of [PHONE, DESKTOP]) {
		const anon = await newPage(vp);
		for (const [name, url] of [['login', '/login'], ['register', '/register']]) {
			await anon.goto(url);
			files.push(await shot(anon, name));
		}
		await anon.context().close();
		const p = await newPage(vp);
		await login(p, adminName, PW);
		for (const [name, url] of pages) {
			await p.goto(url);
			files.push(await shot(p, name));
			const over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
			ok(over <= 0, `${name} at ${vp.width}px: no horizontal scrolling`, over);
		}
		await p.context().close();
	}
	ok(files.every((f) => fs.statSync(f).size > 1000), `${files.length} screenshots written`);
});

await step('dark theme', async () => {
	const p = await newPage();
	await p.goto('/login');
	const light = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
	await p.emulateMedia({ colorScheme: 'dark' });
	const dark = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
	ok(light !== dark && dark === 'rgb(13, 17, 23)', 'prefers-color-scheme: dark changes the colours', { light, dark });
	await shot(p, 'login-dark');
	await p.context().close();
});

await done();
