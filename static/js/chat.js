/* chat.js: the chat form streams its answer (progressive enhancement; docs/pages.md, Chat).
 *
 * Without JavaScript the form posts to /chat (or /chat/:id) and the page redirects to the
 * conversation with the answer rendered on the server. With it, the same question goes to
 * the form's data-chat-stream URL (POST /api/chat, Accept: text/event-stream) and the answer
 * is shown as it arrives, as TEXT only (textContent: nothing the model writes is ever parsed
 * as HTML here), in a region with aria-live="polite" and aria-busy while it streams. When the
 * answer is complete the conversation's page (/chat/:sessionId, rendered by the server: its
 * Markdown escaped and highlighted, its sources as links) replaces the page's main content,
 * the address becomes the conversation's, the focus goes to the new answer and a status
 * region outside main says the answer is complete.
 *
 * Markup contract (templates/chat/form.mustache):
 *   <form id="chat-form" method="post" action="/chat[/:id]" data-chat-stream="/api/chat"
 *         [data-history-id="(the conversation's id)" data-session-id="(its sessionId)"]>
 *     <input type="hidden" name="csrf_token" ... />  [<input type="hidden" name="scriptId" ...>]
 *     <textarea name="message">  <button type="submit">
 *   </form>
 *   <div id="chat-live" hidden="hidden"></div>   (where the streamed exchange is shown)
 *
 * The stream's events: each carries JSON; a string member text, delta or content is a chunk
 * of the answer (a model's answer arrives as the model writes it, line by line, already made
 * safe by the server; shown as text all the same), "reset" drops what was shown (the model
 * stopped mid-answer and the platform's own answer follows), "status" {status: thinking}
 * says the model is asked, a historyId member names the stored conversation, the event
 * "done" (or "end") ends it and "error" ({message}) stops it. A whole JSON answer instead of
 * a stream is taken too (its historyId).
 *
 * Any failure before the answer started (no stream support, the network, an error status
 * other than a validation error) falls back to posting the form as without JavaScript; a
 * validation error (400, 413) is shown on the form, as the server's page would.
 */
(function () {
	'use strict';

	function el(tag, cls, text) {
		var e = document.createElement(tag);
		if (cls)
			e.className = cls;
		if (text !== undefined)
			e.textContent = text;
		return e;
	}

	/* parseEvents: the complete events of an SSE buffer; returns [events, rest]. */
	function parseEvents(buf) {
		var out = [];
		var parts = buf.replace(/\r\n?/g, '\n').split('\n\n');
		var rest = parts.pop();
		parts.forEach(function (block) {
			var ev = { event: 'message', data: [] };
			block.split('\n').forEach(function (line) {
				if (line === '' || line.charAt(0) === ':')
					return;
				var i = line.indexOf(':');
				var field = i < 0 ? line : line.slice(0, i);
				var value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
				if (field === 'event')
					ev.event = value;
				else if (field === 'data')
					ev.data.push(value);
			});
			ev.data = ev.data.join('\n');
			out.push(ev);
		});
		return [out, rest];
	}

	function json(s) {
		try {
			return JSON.parse(s);
		} catch (e) {
			return null;
		}
	}

	function showError(form, message) {
		var box = form.querySelector('.form-error');
		if (!box) {
			box = el('div', 'form-error');
			box.setAttribute('role', 'alert');
			form.insertBefore(box, form.querySelector('.field'));
		}
		box.textContent = '';
		box.appendChild(el('p', '', message));
	}

	/* swapMain: the server's page of the conversation replaces this page's main content. */
	function swapMain(url) {
		return fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
		    .then(function (r) {
			if (!r.ok)
				throw new Error('HTTP ' + r.status);
			return r.text();
		}).then(function (html) {
			var doc = new DOMParser().parseFromString(html, 'text/html');
			var src = doc.querySelector('main');
			var dst = document.querySelector('main');
			if (!src || !dst)
				throw new Error('no main');
			while (dst.firstChild)
				dst.removeChild(dst.firstChild);
			Array.prototype.forEach.call(src.childNodes, function (n) {
				dst.appendChild(document.importNode(n, true));
			});
			document.title = doc.title;
			if (location.pathname !== url)
				history.pushState(null, '', url);
			bind();
			/* the focus goes to the new answer (a screen reader reads it from there; the
			 * follow-up box is the next stop after its sources) */
			var answers = document.querySelectorAll('.chat-msg.chat-assistant');
			var last = answers.length ? answers[answers.length - 1] : document.getElementById('message');
			if (last) {
				if (last.id !== 'message')
					last.setAttribute('tabindex', '-1');
				last.focus();
			}
			announce('The answer is complete.');
		});
	}

	/* announce: a message for screen readers in a status region outside main (it outlives
	 * the swap of main's content). */
	function announce(text) {
		var st = document.getElementById('chat-status');
		if (!st) {
			st = el('div', 'visually-hidden');
			st.id = 'chat-status';
			st.setAttribute('role', 'status');
			document.body.appendChild(st);
		}
		st.textContent = text;
	}

	function ask(form, ev) {
		var box = form.elements.namedItem('message');
		var text = box ? box.value : '';
		var live = document.getElementById('chat-live');
		if (!window.fetch || !window.ReadableStream || !window.TextDecoder || !live ||
		    text.trim() === '' || form.getAttribute('data-busy'))
			return;	/* the form posts as without JavaScript */
		ev.preventDefault();
		form.setAttribute('data-busy', '1');
		var button = form.querySelector('button[type=submit]');
		if (button)
			button.disabled = true;

		var body = { messages: [{ role: 'user', content: text }] };
		var sid = form.getAttribute('data-session-id');
		if (sid)
			body.sessionId = sid;
		var script = form.elements.namedItem('scriptId');
		if (script && script.value)
			body.scriptId = Number(script.value);
		var csrf = form.elements.namedItem('csrf_token');

		live.hidden = false;
		live.textContent = '';
		var mine = el('div', 'chat-msg chat-user');
		mine.appendChild(el('h2', 'chat-who', 'You'));
		mine.appendChild(el('p', 'chat-text', text));
		var answer = el('div', 'chat-msg chat-assistant');
		answer.appendChild(el('h2', 'chat-who', 'Answer'));
		var out = el('p', 'chat-streaming', '');
		out.id = 'chat-streaming';
		out.setAttribute('aria-live', 'polite');
		out.setAttribute('aria-busy', 'true');
		answer.appendChild(out);
		var state = el('p', 'muted', 'Answering…');
		state.setAttribute('role', 'status');
		answer.appendChild(state);
		live.appendChild(mine);
		live.appendChild(answer);

		var started = false, finished = false;
		var historyId = Number(form.getAttribute('data-history-id') || 0);
		function fallback() {
			form.removeAttribute('data-busy');
			if (button)
				button.disabled = false;
			live.hidden = true;
			live.textContent = '';
			HTMLFormElement.prototype.submit.call(form);
		}
		function finish(problem) {
			finished = true;
			out.setAttribute('aria-busy', 'false');
			if (problem) {
				state.textContent = problem;
				state.className = 'chat-error';
			}
			if (historyId > 0)
				swapMain('/chat/' + historyId).catch(function () {
					location.assign('/chat/' + historyId);
				});
			else {
				form.removeAttribute('data-busy');
				if (button)
					button.disabled = false;
			}
		}
		function handle(e) {
			var d = json(e.data);
			if (d && typeof d === 'object' && Number(d.historyId) > 0)
				historyId = Number(d.historyId);
			if (e.event === 'error') {
				finish(d && d.message ? d.message : 'The answer could not be completed.');
				return;
			}
			if (e.event === 'reset') {
				out.textContent = '';
				state.textContent = 'The model stopped; the platform answers from its sources…';
				return;
			}
			if (e.event === 'status') {
				if (d && d.status === 'thinking')
					state.textContent = 'Asking the language model…';
				return;
			}
			if (e.event === 'done' || e.event === 'end' || e.data === '[DONE]') {
				state.textContent = 'Answer complete.';
				finish(null);
				return;
			}
			var chunk = d && typeof d.text === 'string' ? d.text :
			    d && typeof d.delta === 'string' ? d.delta :
			    d && typeof d.content === 'string' ? d.content : (d === null ? e.data : '');
			if (chunk) {
				started = true;
				out.appendChild(document.createTextNode(chunk));
			}
		}

		fetch(form.getAttribute('data-chat-stream') || '/api/chat', {
			method: 'POST',
			credentials: 'same-origin',
			headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream',
			    'X-CSRF-Token': csrf ? csrf.value : '' },
			body: JSON.stringify(body)
		}).then(function (r) {
			var type = r.headers.get('Content-Type') || '';
			if (r.status === 400 || r.status === 413 || r.status === 404) {
				return r.json().then(function (err) {
					live.hidden = true;
					live.textContent = '';
					form.removeAttribute('data-busy');
					if (button)
						button.disabled = false;
					showError(form, err && err.message ? err.message : 'The question could not be sent.');
				});
			}
			if (r.ok && type.indexOf('application/json') === 0) {
				/* a whole answer (no stream): its history id is enough */
				return r.json().then(function (j) {
					if (j && Number(j.historyId) > 0)
						historyId = Number(j.historyId);
					started = true;
					finish(historyId > 0 ? null : 'The answer could not be shown.');
				});
			}
			if (!r.ok || type.indexOf('text/event-stream') !== 0 || !r.body)
				throw new Error('HTTP ' + r.status);
			var reader = r.body.getReader(), dec = new TextDecoder(), buf = '';
			function pump() {
				return reader.read().then(function (chunk) {
					if (chunk.done) {
						if (!finished)
							finish(started ? null : 'The answer was cut off.');
						return;
					}
					buf += dec.decode(chunk.value, { stream: true });
					var p = parseEvents(buf);
					buf = p[1];
					p[0].forEach(function (e) {
						if (!finished)
							handle(e);
					});
					if (!finished)
						return pump();
				});
			}
			return pump();
		}).catch(function () {
			if (!started && !finished)
				fallback();
			else if (!finished)
				finish('The connection was lost; the page shows what was stored.');
		});
	}

	function bind() {
		var form = document.getElementById('chat-form');
		if (form && !form.getAttribute('data-bound')) {
			form.setAttribute('data-bound', '1');
			form.addEventListener('submit', function (ev) { ask(form, ev); });
		}
	}

	window.addEventListener('popstate', function () { location.reload(); });
	if (document.getElementById('chat-form'))
		announce('');	/* the status region exists before its first message */
	bind();
}());
