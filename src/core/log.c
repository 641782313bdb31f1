/* log.c: one-line logs with escaped user bytes and the current request id */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"

static const char *log_prog = "psscript";
static enum log_level log_min = LOG_INFO;
static char log_reqid[64];

static const char *const levels[LOG__MAX] = { "debug", "info", "warn", "error" };

void
log_init(const char *progname, enum log_level min)
{
	log_prog = progname;
	log_min = min < LOG__MAX ? min : LOG_INFO;
}

enum log_level
log_level_parse(const char *s)
{
	for (size_t i = 0; i < LOG__MAX; i++)
		if (strcmp(s, levels[i]) == 0)
			return (enum log_level)i;
	return LOG__MAX;
}

void
log_set_request_id(const char *id)
{
	size_t n = id != NULL ? strnlen(id, sizeof(log_reqid) - 1) : 0;

	/* a copy, cut to fit, without snprintf: every request sets it */
	memcpy(log_reqid, id != NULL ? id : "", n);
	log_reqid[n] = '\0';
}

const char *
log_request_id(void)
{
	return log_reqid;
}

/* Escape everything that could forge a log line: CR, LF, other controls and DEL. */
static void
escape_into(struct buf *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\n')
			buf_puts(out, "\\n");
		else if (*p == '\r')
			buf_puts(out, "\\r");
		else if (*p == '\t')
			buf_puts(out, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			buf_printf(out, "\\x%02x", *p);
		else
			buf_putc(out, (char)*p);
	}
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	char msg[2048], ts[32];
	struct buf line = BUF_INIT;
	struct timespec now;
	struct tm tm;
	va_list ap;

	if (lvl < log_min || lvl >= LOG__MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(&line, "%s.%03ldZ %s[%ld] %s", ts, now.tv_nsec / 1000000L,
	    log_prog, (long)getpid(), levels[lvl]);
	if (log_reqid[0] != '\0') {
		buf_puts(&line, " req=");
		escape_into(&line, log_reqid);
	}
	buf_putc(&line, ' ');
	escape_into(&line, msg);
	buf_putc(&line, '\n');
	fwrite(line.data, 1, line.len, stderr);
	fflush(stderr);
	buf_free(&line);
}
