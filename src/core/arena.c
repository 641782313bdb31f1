/* arena.c: per-request arenas, released in one call at the end of each request */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

#define ARENA_BLOCK	(64 * 1024)
#define ARENA_ALIGN	16

struct arena_block {
	struct arena_block *next;
	size_t	 size;		/* usable bytes in mem */
	size_t	 used;
	_Alignas(ARENA_ALIGN) unsigned char mem[];
};

static struct arena_block *
block_new(size_t size)
{
	struct arena_block *b = xmalloc(sizeof(*b) + size);

	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

void
arena_init(struct arena *a)
{
	a->head = NULL;
	a->total = 0;
}

/* n bytes at a multiple of align (a power of two), not zeroed. */
static void *
arena_take(struct arena *a, size_t n, size_t align)
{
	struct arena_block *b = a->head;
	size_t off;

	n = n ? n : 1;
	if (n > SIZE_MAX - ARENA_ALIGN)
		pss_die("arena allocation overflow");
	if (b != NULL) {
		off = (b->used + align - 1) & ~(align - 1);
		if (off <= b->size && n <= b->size - off) {
			b->used = off + n;
			a->total += n;
			return b->mem + off;
		}
	}
	/* A big request gets a block of its own, placed behind the current one
	 * so the current block keeps serving small requests. */
	if (n > ARENA_BLOCK / 4 && b != NULL) {
		struct arena_block *big = block_new(n);

		big->used = n;
		big->next = b->next;
		b->next = big;
		a->total += n;
		return big->mem;
	}
	b = block_new(n > ARENA_BLOCK ? n : ARENA_BLOCK);
	b->next = a->head;
	a->head = b;
	b->used = n;
	a->total += n;
	return b->mem;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	void *p = arena_take(a, n, ARENA_ALIGN);

	memset(p, 0, n ? n : 1);
	return p;
}

void *
arena_alloc_bytes(struct arena *a, size_t n)
{
	return arena_take(a, n, 1);
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_take(a, n + 1, ARENA_ALIGN);	/* every byte is written */

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

void *
arena_grow(struct arena *a, void *items, size_t n, size_t *cap, size_t elem)
{
	size_t ncap = *cap ? *cap * 2 : 8;
	void *p;

	if (n < *cap)
		return items;
	if (ncap > SIZE_MAX / elem)
		pss_die("arena array overflow");
	p = arena_alloc(a, ncap * elem);
	if (n)
		memcpy(p, items, n * elem);
	*cap = ncap;
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	int n;
	char *p;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		pss_die("vsnprintf failed");
	p = arena_take(a, (size_t)n + 1, ARENA_ALIGN);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next;

	if (a->head == NULL)
		return;
	/* Keep the oldest standard-size block: steady state does no malloc at all. */
	for (b = a->head; b->next != NULL; b = next) {
		next = b->next;
		free(b);
		a->head = next;
	}
	if (a->head->size > ARENA_BLOCK) {
		free(a->head);
		a->head = NULL;
	} else
		a->head->used = 0;
	a->total = 0;
}

void
arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	arena_init(a);
}
