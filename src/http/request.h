/* request.h: the pure part of request parsing, exposed for tests and fuzz drivers */
#ifndef PSS_HTTP_REQUEST_H
#define PSS_HTTP_REQUEST_H

#include "http/http.h"

/* http_request_parse: fills r from CGI-style "KEY=value" parameters (not the body).
 * Returns HTTP_REJECT_NONE or why the request is unusable; r stays valid enough to answer. */
enum http_reject http_request_parse(struct arena *, const char *const *envp,
	const struct http_limits *, struct request *r);
size_t	 http_body_limit(const struct request *, const struct http_limits *);

#endif
