/* upload.js: asynchronous multi-file upload with a progress bar (progressive enhancement).
 *
 * Markup contract (docs/highlight.md has the same with an example):
 *
 *   <form method="post" action="(the page's own upload route)" enctype="multipart/form-data"
 *         data-upload-async="/api/scripts/upload/async">
 *     <input type="hidden" name="csrf_token" value="..." />
 *     <input type="file" name="files" multiple="multiple" />   (the API's field name)
 *     ... any other fields (title, tags, category_id, is_public, analyze_with_ai) ...
 *     <button type="submit">Upload</button>
 *     <div class="upload-status" data-upload-status="" hidden="hidden">          (optional)
 *       <progress data-upload-progress="" max="1" value="0">0%</progress>
 *       <p data-upload-summary="" role="status" aria-live="polite"></p>
 *       <ul class="upload-list" data-upload-list="" aria-live="polite"></ul>
 *     </div>
 *   </form>
 *
 * - data-upload-async: the URL to POST to (empty: /api/scripts/upload/async).
 * - data-upload-batch-url: the batch status URL, the batch id is appended
 *   (default /api/scripts/upload/batch/).
 * - data-upload-script-url: where a finished script is shown, its id is appended
 *   (default /scripts/).
 * - The status elements are created after the file input's form when the page has none.
 * - The CSRF token comes from <meta name="csrf-token" content="..."> or else the form's
 *   csrf_token field, and is sent as X-CSRF-Token (the form data carries the field too).
 *
 * Without JavaScript (or when nothing is selected) the form posts to its action as usual.
 * With it: the files go to the async endpoint (202 {batchId, uploads}), the bar shows the
 * bytes sent, then the batch endpoint ({uploads: [{uploadId, filename, status, scriptId,
 * existingScriptId, error}], total, done, failed}) is polled until done == total, the bar
 * and the per-file list following it.
 */
(function () {
	'use strict';

	var POLL_FIRST_MS = 700;
	var POLL_MAX_MS = 4000;
	var MAX_POLL_ERRORS = 5;

	var STATE_TEXT = {
		queued: 'queued',
		processing: 'processing',
		completed: 'done',
		duplicate: 'already stored',
		failed: 'failed'
	};

	function csrfToken(form) {
		var meta = document.querySelector('meta[name="csrf-token"]');
		if (meta && meta.content)
			return meta.content;
		var field = form.elements.namedItem('csrf_token');
		return field && field.value ? field.value : '';
	}

	function el(tag, attrs, text) {
		var e = document.createElement(tag);
		Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
		if (text !== undefined)
			e.textContent = text;
		return e;
	}

	/* the status box of the form: the page's, or one made after the form */
	function statusBox(form) {
		var box = form.querySelector('[data-upload-status]');
		if (!box) {
			box = el('div', { 'class': 'upload-status', 'data-upload-status': '' });
			box.appendChild(el('progress', { 'data-upload-progress': '', max: '1', value: '0' }));
			box.appendChild(el('p', { 'data-upload-summary': '', role: 'status', 'aria-live': 'polite' }));
			box.appendChild(el('ul', { 'class': 'upload-list', 'data-upload-list': '', 'aria-live': 'polite' }));
			form.insertAdjacentElement('afterend', box);
		}
		return {
			box: box,
			progress: box.querySelector('[data-upload-progress]'),
			summary: box.querySelector('[data-upload-summary]'),
			list: box.querySelector('[data-upload-list]')
		};
	}

	function setProgress(ui, value, max) {
		if (!ui.progress)
			return;
		ui.progress.max = max > 0 ? max : 1;
		ui.progress.value = Math.min(value, ui.progress.max);
		ui.progress.textContent = Math.round(100 * ui.progress.value / ui.progress.max) + '%';
	}

	function say(ui, text) {
		if (ui.summary)
			ui.summary.textContent = text;
	}

	/* one <li> per upload, keyed by uploadId, updated in place */
	function renderList(ui, uploads, scriptUrl) {
		if (!ui.list)
			return;
		uploads.forEach(function (u) {
			var li = ui.list.querySelector('li[data-upload-id="' + CSS.escape(String(u.uploadId)) + '"]');
			if (!li) {
				li = el('li', { 'data-upload-id': String(u.uploadId) });
				ui.list.appendChild(li);
			}
			if (li.getAttribute('data-status') === u.status)
				return;
			li.setAttribute('data-status', u.status);
			li.className = 'is-' + u.status;
			li.textContent = '';
			var id = u.status === 'completed' ? u.scriptId :
			    u.status === 'duplicate' ? u.existingScriptId : null;
			if (id)
				li.appendChild(el('a', { href: scriptUrl + encodeURIComponent(id) }, u.filename));
			else
				li.appendChild(document.createTextNode(u.filename));
			li.appendChild(document.createTextNode(' '));
			li.appendChild(el('span', { 'class': 'upload-state' }, STATE_TEXT[u.status] || u.status));
			if (u.status === 'failed' && u.error)
				li.appendChild(document.createTextNode(': ' + u.error));
		});
	}

	/* "2 new scripts, 1 already stored, 1 failed" */
	function summary(uploads) {
		var n = { completed: 0, duplicate: 0, failed: 0 };
		uploads.forEach(function (u) {
			if (u.status in n)
				n[u.status]++;
		});
		var parts = [n.completed + ' new script' + (n.completed === 1 ? '' : 's')];
		if (n.duplicate)
			parts.push(n.duplicate + ' already stored');
		if (n.failed)
			parts.push(n.failed + ' failed');
		return parts.join(', ');
	}

	function errorText(xhrOrResponse, body) {
		if (body && typeof body.message === 'string')
			return body.message;
		return 'The upload failed (HTTP ' + xhrOrResponse.status + ').';
	}

	/* POST the form data with upload progress (fetch has none); resolves {status, body} */
	function send(url, data, token, onProgress) {
		return new Promise(function (resolve, reject) {
			var xhr = new XMLHttpRequest();
			xhr.open('POST', url);
			xhr.responseType = 'json';
			xhr.setRequestHeader('Accept', 'application/json');
			if (token)
				xhr.setRequestHeader('X-CSRF-Token', token);
			xhr.upload.addEventListener('progress', function (ev) {
				if (ev.lengthComputable)
					onProgress(ev.loaded, ev.total);
			});
			xhr.addEventListener('load', function () {
				resolve({ status: xhr.status, body: xhr.response });
			});
			xhr.addEventListener('error', function () { reject(new Error('network')); });
			xhr.addEventListener('abort', function () { reject(new Error('aborted')); });
			xhr.send(data);
		});
	}

	function sleep(ms) {
		return new Promise(function (resolve) { setTimeout(resolve, ms); });
	}

	async function poll(ui, batchUrl, scriptUrl) {
		var wait = POLL_FIRST_MS, errors = 0;
		for (;;) {
			await sleep(wait);
			var batch;
			try {
				var r = await fetch(batchUrl, {
					credentials: 'same-origin',
					headers: { Accept: 'application/json' },
					cache: 'no-store'
				});
				batch = await r.json().catch(function () { return null; });
				if (!r.ok || !batch || !Array.isArray(batch.uploads))
					throw new Error(errorText(r, batch));
				errors = 0;
			} catch (e) {
				if (++errors >= MAX_POLL_ERRORS) {
					say(ui, 'Lost contact with the server. The files are processed anyway: ' +
					    'see your scripts in a moment.');
					return null;
				}
				wait = Math.min(wait * 2, POLL_MAX_MS);
				continue;
			}
			renderList(ui, batch.uploads, scriptUrl);
			setProgress(ui, batch.done, batch.total);
			say(ui, 'Processed ' + batch.done + ' of ' + batch.total + ' files' +
			    (batch.failed ? ' (' + batch.failed + ' failed).' : '.'));
			if (batch.done >= batch.total)
				return batch;
			wait = Math.min(Math.round(wait * 1.5), POLL_MAX_MS);
		}
	}

	async function upload(form, fileInput) {
		var ui = statusBox(form);
		var submit = form.querySelectorAll('button[type="submit"], input[type="submit"], button:not([type])');
		var endpoint = form.getAttribute('data-upload-async') || '/api/scripts/upload/async';
		var batchBase = form.getAttribute('data-upload-batch-url') || '/api/scripts/upload/batch/';
		var scriptUrl = form.getAttribute('data-upload-script-url') || '/scripts/';
		var data = new FormData(form);

		if (fileInput.name !== 'files') {
			/* the API reads the files from the field "files" */
			data.delete(fileInput.name);
			Array.prototype.forEach.call(fileInput.files, function (f) { data.append('files', f); });
		}
		submit.forEach(function (b) { b.disabled = true; });
		form.setAttribute('aria-busy', 'true');
		ui.box.hidden = false;
		if (ui.list)
			ui.list.textContent = '';
		setProgress(ui, 0, 1);
		say(ui, 'Sending ' + fileInput.files.length + ' file' + (fileInput.files.length === 1 ? '' : 's') + '…');
		try {
			var res = await send(endpoint, data, csrfToken(form), function (loaded, total) {
				setProgress(ui, loaded, total);
				say(ui, 'Sending… ' + Math.round(100 * loaded / total) + '%');
			});
			if (res.status !== 202 && res.status !== 200) {
				say(ui, errorText(res, res.body));
				return;
			}
			var batch = res.body || {};
			renderList(ui, batch.uploads || [], scriptUrl);
			setProgress(ui, 0, (batch.uploads || []).length);
			say(ui, 'Sent. Processing ' + (batch.uploads || []).length + ' files…');
			if (!batch.batchId)
				return;
			var done = await poll(ui, batchBase + encodeURIComponent(batch.batchId), scriptUrl);
			if (done) {
				say(ui, 'Finished: ' + summary(done.uploads) + '.');
				fileInput.value = '';
			}
		} catch (e) {
			say(ui, 'The upload could not be sent (' + e.message + '). Please try again.');
		} finally {
			submit.forEach(function (b) { b.disabled = false; });
			form.removeAttribute('aria-busy');
		}
	}

	function enhance(form) {
		var fileInput = form.querySelector('input[type="file"]');
		if (!fileInput || !window.FormData || !window.fetch || !window.Promise)
			return;
		form.addEventListener('submit', function (ev) {
			if (ev.defaultPrevented || !fileInput.files || fileInput.files.length === 0)
				return;	/* nothing chosen: the normal post shows the server's message */
			ev.preventDefault();
			upload(form, fileInput);
		});
	}

	function init() {
		document.querySelectorAll('form[data-upload-async]').forEach(enhance);
	}

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', init);
	else
		init();
}());
