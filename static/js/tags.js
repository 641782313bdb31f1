/* tags.js: tag suggestions for a text input through a <datalist> (progressive enhancement).
 *
 * Markup contract (docs/highlight.md has the same with an example):
 *
 *   <label for="tags">Tags (comma separated)</label>
 *   <input type="text" id="tags" name="tags" autocomplete="off" data-tag-autocomplete="" />
 *
 * - data-tag-autocomplete: the tag list URL (empty: /api/tags); it is asked
 *   GET <url>?q=<prefix>&limit=<n> and answers {tags: [{id, name, count}]}, most used first.
 * - data-tag-limit: how many suggestions (default 8, at most 100).
 * - The input gets list="<its id>-suggestions" and that <datalist> is made after it (an input
 *   without an id gets one). A page may provide the datalist itself (list="...").
 *
 * The value is a comma-separated list; the suggestions complete its last item and keep the
 * items before it ("admin, net" suggests "admin, network"), leaving out tags already in the
 * list. The browser's own datalist UI does the rest: arrow keys, Enter, screen reader
 * announcements. Without JavaScript the input is a plain text field.
 */
(function () {
	'use strict';

	var DEBOUNCE_MS = 150;
	var counter = 0;

	function split(value) {
		var parts = value.split(',');
		var last = parts.pop();
		return {
			before: parts.map(function (s) { return s.trim(); }).filter(function (s) { return s !== ''; }),
			prefix: last.trim().toLowerCase()
		};
	}

	function enhance(input) {
		var url = input.getAttribute('data-tag-autocomplete') || '/api/tags';
		var limit = parseInt(input.getAttribute('data-tag-limit'), 10);
		var cache = new Map();
		var controller = null;
		var timer = 0;
		var list;

		if (!(limit >= 1 && limit <= 100))
			limit = 8;
		if (!input.id)
			input.id = 'tag-input-' + (++counter);
		list = input.list;
		if (!list) {
			list = document.createElement('datalist');
			list.id = input.id + '-suggestions';
			input.insertAdjacentElement('afterend', list);
			input.setAttribute('list', list.id);
		}
		input.setAttribute('autocomplete', 'off');

		function show(parts, tags) {
			var taken = new Set(parts.before.map(function (s) { return s.toLowerCase(); }));
			var head = parts.before.length ? parts.before.join(', ') + ', ' : '';
			var frag = document.createDocumentFragment();

			tags.forEach(function (t) {
				if (typeof t.name !== 'string' || taken.has(t.name))
					return;
				var o = document.createElement('option');
				o.value = head + t.name;
				o.label = typeof t.count === 'number' ?
				    t.name + ' (' + t.count + ' script' + (t.count === 1 ? '' : 's') + ')' : t.name;
				frag.appendChild(o);
			});
			list.replaceChildren(frag);
		}

		async function lookup() {
			var parts = split(input.value);
			if (parts.prefix === '') {
				list.replaceChildren();
				return;
			}
			if (cache.has(parts.prefix)) {
				show(parts, cache.get(parts.prefix));
				return;
			}
			if (controller)
				controller.abort();
			controller = new AbortController();
			try {
				var q = new URLSearchParams({ q: parts.prefix, limit: String(limit) });
				var r = await fetch(url + (url.indexOf('?') < 0 ? '?' : '&') + q.toString(), {
					credentials: 'same-origin',
					headers: { Accept: 'application/json' },
					signal: controller.signal
				});
				if (!r.ok)
					return;
				var body = await r.json();
				var tags = body && Array.isArray(body.tags) ? body.tags : [];
				cache.set(parts.prefix, tags);
				/* only if the input still asks for this prefix */
				if (split(input.value).prefix === parts.prefix)
					show(parts, tags);
			} catch (e) {
				/* aborted by a newer keystroke, or offline: no suggestions, the field still works */
			}
		}

		input.addEventListener('input', function () {
			clearTimeout(timer);
			timer = setTimeout(lookup, DEBOUNCE_MS);
		});
	}

	function init() {
		if (!window.fetch || !window.AbortController)
			return;
		document.querySelectorAll('input[data-tag-autocomplete]').forEach(enhance);
	}

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', init);
	else
		init();
}());
