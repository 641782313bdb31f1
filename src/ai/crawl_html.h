/* crawl_html.h: a fetched page as text: HTML through libxml2's HTML parser (code blocks kept
 * as fenced code), Markdown and plain text as they are; the title and the links */
#ifndef PSS_CRAWL_HTML_H
#define PSS_CRAWL_HTML_H

#include <stddef.h>

#include "core/core.h"

#define CRAWL_MAX_LINKS 2000	/* links kept per page */
#define CRAWL_TITLE_MAX 500	/* the documentation table's title column */

/* The content types a crawl stores. */
enum crawl_type { CRAWL_HTML, CRAWL_MARKDOWN, CRAWL_TEXT, CRAWL_TYPE__MAX };
extern const char *const crawl_type_names[CRAWL_TYPE__MAX];

struct crawl_doc {
	char	*title;		/* never NULL after extraction; may be "" */
	struct buf text;	/* the page as Markdown-like text */
	char	*base;		/* <base href> when the page has one, else NULL */
	char   **links;		/* hrefs as written (resolve against base or the URL) */
	size_t	 nlinks;
};

/* crawl_type_of: the type for a media type ("text/html", lower case, no parameters), or
 * CRAWL_TYPE__MAX when a crawl does not store it. */
enum crawl_type crawl_type_of(const char *media_type);
/* crawl_type_of_path: the type a file's extension says (.html .htm .md .markdown .txt), or
 * CRAWL_TYPE__MAX. */
enum crawl_type crawl_type_of_path(const char *path);

/* crawl_extract: fills doc from body (len bytes) of type; charset is the Content-Type's
 * charset or NULL. 0, or -1 with *why (static) when the body is binary or its text is not
 * valid UTF-8. doc is freed with crawl_doc_free either way. */
int	 crawl_extract(enum crawl_type, const char *body, size_t len, const char *charset,
	struct crawl_doc *doc, const char **why);
void	 crawl_doc_free(struct crawl_doc *);

#endif
