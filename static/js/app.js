/* app.js: progressive enhancement only; every form works without it. A form with a
 * data-confirm attribute asks before it is sent. */
(function () {
	'use strict';
	document.addEventListener('submit', function (ev) {
		var f = ev.target;
		var msg = f && f.getAttribute && f.getAttribute('data-confirm');
		if (msg && !window.confirm(msg))
			ev.preventDefault();
	});
}());
