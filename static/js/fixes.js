/* fixes.js: the "Apply fixes" page's Choose all / Choose none buttons (progressive
 * enhancement: without JavaScript the buttons stay hidden and each checkbox is ticked by
 * hand; the form itself never needs script).
 *
 * Markup contract: a form with class "fixes-choose" holding checkboxes name="fix" and a
 * hidden <p class="fixes-toggle"> with buttons data-fixes-all="1" (all) and "0" (none).
 */
(function () {
	'use strict';

	function init(form) {
		var bar = form.querySelector('.fixes-toggle');
		if (!bar)
			return;
		bar.hidden = false;
		bar.addEventListener('click', function (ev) {
			var b = ev.target.closest('button[data-fixes-all]');
			if (!b)
				return;
			var on = b.getAttribute('data-fixes-all') === '1';
			form.querySelectorAll('input[type=checkbox][name=fix]').forEach(function (c) {
				c.checked = on;
			});
		});
	}

	document.querySelectorAll('form.fixes-choose').forEach(init);
}());
