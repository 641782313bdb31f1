/* http.h: a small bounded HTTP client (GET, POST) for the ai layer's remote services */
#ifndef PSS_AI_HTTP_H
#define PSS_AI_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/core.h"

/* Why a request failed. A non-2xx answer is not a failure here: the status is returned and
 * the caller decides. Parallel to ai_http_errs[] (ai_http_strerror). */
enum ai_http_err {
	AI_HTTP_OK,
	AI_HTTP_EURL,		/* not an http:// or https:// URL, or a header with CR/LF */
	AI_HTTP_EREFUSED,	/* name not resolved, connection refused or reset */
	AI_HTTP_ETIMEOUT,	/* the connect or the total timeout passed */
	AI_HTTP_ESLOW,		/* the answer arrived slower than the low-speed limit */
	AI_HTTP_ETOOBIG,	/* the answer is larger than max_response_bytes */
	AI_HTTP_EREDIRECT,	/* more redirects than max_redirects, or to another scheme */
	AI_HTTP_ETLS,		/* TLS handshake or certificate verification failed */
	AI_HTTP_EIO,		/* any other transfer error (the message says which) */
	AI_HTTP__MAX
};

/* The bounds of one request. Zero means the default shown. */
struct ai_http_limits {
	int64_t	 connect_timeout_ms;	/* 5000 */
	int64_t	 total_timeout_ms;	/* 30000: connect, send, wait and receive together */
	int64_t	 low_speed_bytes;	/* 1024 (-1: no limit): once the answer has begun, at least */
	int64_t	 low_speed_ms;		/* 5000: bytes must arrive in every window of this length */
	size_t	 max_response_bytes;	/* 1048576: the body; abort beyond it */
	long	 max_redirects;		/* 0: redirects are not followed; -1 in a field means 0 */
};

/* One request. headers: NULL or a NULL-terminated list of "Name: value" lines. bearer: NULL
 * or a token sent as "Authorization: Bearer <token>" (never to another host on a redirect).
 * body: NULL for GET; for POST body_len bytes sent with content_type (default
 * application/json). */
struct ai_http_request {
	const char		*method;	/* "GET" or "POST" */
	const char		*url;
	const char *const	*headers;
	const char		*bearer;
	const char		*body;
	size_t			 body_len;
	const char		*content_type;
	struct ai_http_limits	 limits;
	/* NULL, or called with each piece of a 2xx answer's body as it arrives (the body is
	 * kept in resp all the same): a streamed answer. Nonzero stops the transfer
	 * (AI_HTTP_EIO, "stopped by the reader"). */
	int			(*on_data)(void *arg, const char *p, size_t len);
	void			*on_data_arg;
};

/* The answer: status (0 when none arrived), the body (NUL-terminated, possibly partial after a
 * failure), the Content-Type (NULL when absent), the message of a failure and the time taken.
 * Owned by the struct: ai_http_response_free. */
struct ai_http_response {
	long		 status;
	struct buf	 body;
	char		*content_type;
	char		 error[256];
	int64_t		 elapsed_ms;
};

/* ai_http_do: runs one request within its limits. Returns AI_HTTP_OK when an answer (of any
 * status) arrived whole, else the reason, with resp->error saying it in words. resp is
 * initialised here; free it with ai_http_response_free either way. */
enum ai_http_err ai_http_do(const struct ai_http_request *, struct ai_http_response *resp);
void	 ai_http_response_free(struct ai_http_response *);

/* ai_http_post_json, ai_http_get: ai_http_do for the common cases. */
enum ai_http_err ai_http_post_json(const char *url, const char *bearer, const char *json,
	    const struct ai_http_limits *, struct ai_http_response *resp);
enum ai_http_err ai_http_get(const char *url, const char *bearer, const struct ai_http_limits *,
	    struct ai_http_response *resp);

/* ai_http_strerror: the short, stable name of a reason ("refused", "timeout", "slow",
 * "too_big", ...): used in log lines and as the metrics' reason. */
const char *ai_http_strerror(enum ai_http_err);

/* ai_http_url_ok: 1 when url is an http:// or https:// URL with a host and no control bytes
 * or spaces (what configuration checks before a request is ever made), else 0. */
int	 ai_http_url_ok(const char *url);

#endif
