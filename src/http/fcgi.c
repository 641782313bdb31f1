/* fcgi.c: the FastCGI side of the http layer: accept, read the body, send (libfcgi) */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <poll.h>
#include <sys/uio.h>

#include <fastcgi.h>
#include <fcgiapp.h>

#include "http/http.h"
#include "http/request.h"

struct http_server {
	FCGX_Request	 req;
	int		 fd;
	volatile sig_atomic_t stopping;
	bool		 in_request;
	bool		 close_at_once;	/* no body and the input read to its end (finish) */
	struct buf	 head;		/* the reply's head, reused from request to request */
};

/*
 * finish: ends the request: flushes the answer and closes the connection. libfcgi closes by
 * shutting its side down and waiting (up to 2 s) for nginx to close first, reading whatever
 * still arrives: a guard for input left unread, which a TCP stack would answer with a reset
 * that can cut the answer short at nginx. A request without a body whose input was read to
 * its end (a GET or HEAD: its input is the empty end record) leaves nothing to guard, and for
 * it the wait is a shutdown, a poll and a read, and a round of wake-ups of nginx and the
 * worker: FCGX_Detach makes FCGX_Finish_r close at once (read_body decides, close_at_once).
 * A request with a body keeps the lingering close: measured with the ad-hoc analysis (POST,
 * 40 KB, one connection per worker), closing those at once too left the throughput as it was
 * and raised the p95 from 8.4-8.7 ms to 9.4-10.4 ms (README, "How a worker closes a
 * connection"); a request refused before its body was read keeps it as well.
 */
static void
finish(struct http_server *s)
{
	if (s->close_at_once)
		FCGX_Detach(&s->req);
	s->close_at_once = false;
	FCGX_Finish_r(&s->req);
	s->in_request = false;
}

struct http_server *
http_server_open(const char *bind)
{
	struct http_server *s = xcalloc(1, sizeof(*s));

	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		free(s);
		return NULL;
	}
	s->fd = 0;
	if (bind != NULL && *bind != '\0') {
		if ((s->fd = FCGX_OpenSocket(bind, 128)) < 0) {
			log_error("cannot listen on %s", bind);
			free(s);
			return NULL;
		}
	}
	if (FCGX_InitRequest(&s->req, s->fd, 0) != 0) {
		log_error("FCGX_InitRequest failed");
		free(s);
		return NULL;
	}
	return s;
}

void
http_server_close(struct http_server *s)
{
	if (s == NULL)
		return;
	if (s->in_request)
		finish(s);
	FCGX_Free(&s->req, 1);
	buf_free(&s->head);
	free(s);
}

void
http_stop(struct http_server *s)
{
	s->stopping = 1;
	FCGX_ShutdownPending();
}

static enum http_reject
read_body(struct http_server *s, struct arena *a, const struct http_limits *lim,
    struct request *r)
{
	const char *cl = r->content_length;
	size_t cap = http_body_limit(r, lim), done = 0;
	struct buf b = BUF_INIT;
	int64_t want = -1;
	char chunk[16384];
	int got;

	if (cl != NULL && *cl != '\0' && parse_int64(cl, 0, INT64_MAX, &want) != 0)
		return HTTP_REJECT_BAD_BODY;
	if (want > 0 && (uint64_t)want > cap)
		return HTTP_REJECT_BODY_TOO_LARGE;
	/* With a length, read exactly that much (less is a truncated body); without one (HTTP/2
	 * or chunked uploads), read to the end of the stream, up to the cap. */
	while (want < 0 || done < (size_t)want) {
		size_t n = sizeof(chunk);

		if (want >= 0 && (size_t)want - done < n)
			n = (size_t)want - done;
		if ((got = FCGX_GetStr(chunk, (int)n, s->req.in)) <= 0)
			break;
		if (done + (size_t)got > cap) {
			buf_free(&b);
			return HTTP_REJECT_BODY_TOO_LARGE;
		}
		buf_append(&b, chunk, (size_t)got);
		done += (size_t)got;
	}
	if (want >= 0 && done != (size_t)want) {
		buf_free(&b);
		return HTTP_REJECT_BAD_BODY;
	}
	/* Without a body: read the input's end (an empty record) if a Content-Length of 0 left
	 * it unread, so that the connection can close at once (finish). A byte there instead
	 * is not the end, and keeps the lingering close. */
	if (done == 0 && FCGX_HasSeenEOF(s->req.in) != EOF)
		(void)FCGX_GetChar(s->req.in);
	s->close_at_once = done == 0 && FCGX_HasSeenEOF(s->req.in) == EOF;
	r->body = arena_strndup(a, b.data ? b.data : "", done);
	r->body_len = done;
	buf_free(&b);
	return HTTP_REJECT_NONE;
}

int
http_accept(struct http_server *s, struct arena *a, const struct http_limits *lim,
    struct request *r, enum http_reject *reject)
{
	if (s->stopping)
		return 0;
	if (s->in_request)
		finish(s);
	if (FCGX_Accept_r(&s->req) < 0) {
		if (s->stopping)
			return 0;
		return errno == EINTR ? -1 : -1;
	}
	s->in_request = true;
	*reject = http_request_parse(a, (const char *const *)s->req.envp, lim, r);
	if (*reject == HTTP_REJECT_NONE)
		*reject = read_body(s, a, lim, r);
	if (r->body == NULL) {
		r->body = "";
		r->body_len = 0;
	}
	return 1;
}

static bool
has_header(const struct buf *h, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = h->data; p != NULL && *p; ) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return true;
		if ((p = strstr(p, "\r\n")) != NULL)
			p += 2;
	}
	return false;
}

#define PUT_LIT(h, lit) buf_append((h), (lit), sizeof(lit) - 1)

/* head: the response's head lines into h; length false: no Content-Length (a stream). Built
 * from constant pieces and hand-formatted numbers: printf's formatting was a tenth of the
 * instructions of a cached read. */
static void
head(struct buf *h, const struct request *req, struct response *resp, bool length)
{
	const char *ct = resp->content_type ? resp->content_type : "application/json; charset=utf-8";
	char num[FMT_INT_MAX];

	buf_grow(h, 512 + resp->headers.len);
	PUT_LIT(h, "Status: ");
	buf_append(h, num, fmt_i64(num, resp->status));
	buf_putc(h, ' ');
	buf_puts(h, http_status_text(resp->status));
	PUT_LIT(h, "\r\nContent-Type: ");
	buf_puts(h, ct);
	if (length) {
		PUT_LIT(h, "\r\nContent-Length: ");
		buf_put_u64(h, resp->body.len);
		PUT_LIT(h, "\r\n");
	} else
		PUT_LIT(h, "\r\nX-Accel-Buffering: no\r\n");
	/* an answer file (http_answer_file): nginx keeps none of these headers but
	 * Cache-Control, and gives the file it sends the security headers of its own answers
	 * only when none came (its maps) */
	if (has_header(&resp->headers, "X-Accel-Redirect")) {
		PUT_LIT(h, "Cache-Control: no-store\r\n");
		buf_append(h, resp->headers.data, resp->headers.len);
		PUT_LIT(h, "\r\n");
		return;
	}
	if (req != NULL && req->request_id != NULL) {
		PUT_LIT(h, "X-Request-Id: ");
		buf_puts(h, req->request_id);
		PUT_LIT(h, "\r\n");
	}
	PUT_LIT(h, "X-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Referrer-Policy: same-origin\r\n"
	    "Cross-Origin-Opener-Policy: same-origin\r\n");
	if (!has_header(&resp->headers, "Content-Security-Policy"))
		PUT_LIT(h, "Content-Security-Policy: default-src 'self'; "
		    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'\r\n");
	if (!has_header(&resp->headers, "Cache-Control"))
		PUT_LIT(h, "Cache-Control: no-store\r\n");
	if (resp->headers.len)
		buf_append(h, resp->headers.data, resp->headers.len);
	PUT_LIT(h, "\r\n");
}

void
http_stream_attach(struct http_server *s, struct response *resp)
{
	resp->stream = s->req.out;
}

int
http_stream_start(struct response *resp, const struct request *req)
{
	struct buf h = BUF_INIT;
	int rc;

	if (resp->stream == NULL || resp->streamed)
		return -1;
	head(&h, req, resp, false);
	rc = FCGX_PutStr(h.data, (int)h.len, resp->stream) < 0 || FCGX_FFlush(resp->stream) < 0 ? -1 : 0;
	buf_free(&h);
	resp->streamed = true;
	resp->stream_failed = rc != 0;
	return rc;
}

int
http_stream_put(struct response *resp, const char *p, size_t n)
{
	if (!resp->streamed || resp->stream_failed)
		return -1;
	if ((n > 0 && FCGX_PutStr(p, (int)n, resp->stream) < 0) || FCGX_FFlush(resp->stream) < 0) {
		resp->stream_failed = true;
		return -1;
	}
	return 0;
}

/* writev_all: every byte of iov[0..n) (changed) to fd, through EINTR, EAGAIN and partial
 * writes; 0, or -1 when the connection failed. */
static int
writev_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0) {
			struct pollfd p = { fd, POLLOUT, 0 };

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			(void)poll(&p, 1, 1000);
			continue;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/*
 * put_records: a + b as FCGI_STDOUT records of up to 64 KB written straight to the request's
 * connection, one writev each (header, then the bytes of a and of b it holds); 0, or -1 when
 * the connection failed. libfcgi's stream writes a record every 8 KB of its buffer: a page of
 * 100 KB was 13 writes, each waking nginx. Nothing of this request may sit in libfcgi's
 * stream buffer (the records must stay in order); FCGX_Finish_r then ends the stream.
 */
#define RECORD_MAX 65528	/* a multiple of 8 below FCGI_MAX_LENGTH: no padding */
static int
put_records(FCGX_Request *r, const char *a, size_t an, const char *b, size_t bn)
{
	while (an + bn > 0) {
		size_t len = an + bn < RECORD_MAX ? an + bn : RECORD_MAX;
		size_t fa = an < len ? an : len;
		unsigned char h[FCGI_HEADER_LEN] = { FCGI_VERSION_1, FCGI_STDOUT,
		    (unsigned char)(r->requestId >> 8), (unsigned char)r->requestId,
		    (unsigned char)(len >> 8), (unsigned char)len, 0, 0 };
		struct iovec iov[3] = { { h, sizeof(h) }, { (char *)a, fa }, { (char *)b, len - fa } };

		if (writev_all(r->ipcFd, iov, 3) != 0)
			return -1;
		a += fa;
		an -= fa;
		b += len - fa;
		bn -= len - fa;
	}
	return 0;
}

/* A body larger than libfcgi's stream buffer goes out by put_records. */
#define DIRECT_MIN (16 * 1024)

void
http_send(struct http_server *s, const struct request *req, struct response *resp)
{
	struct buf *h = &s->head;

	if (resp->streamed) {	/* the head and the body went out already */
		finish(s);
		return;
	}
	buf_reset(h);
	head(h, req, resp, true);
	if (!resp->head_only && resp->body.len >= DIRECT_MIN && s->req.ipcFd >= 0) {
		if (put_records(&s->req, h->data, h->len, resp->body.data, resp->body.len) != 0)
			log_warn("the answer could not be written: %s", strerror(errno));
		finish(s);
		return;
	}
	/* Never FCGX_FPrintF: its printf does not know %zu. Format first, then write. */
	FCGX_PutStr(h->data, (int)h->len, s->req.out);
	if (!resp->head_only && resp->body.len > 0) {
		size_t off = 0;

		while (off < resp->body.len) {
			size_t chunk = resp->body.len - off;

			if (chunk > (1u << 30))
				chunk = 1u << 30;
			if (FCGX_PutStr(resp->body.data + off, (int)chunk, s->req.out) < 0)
				break;
			off += chunk;
		}
	}
	finish(s);
}
