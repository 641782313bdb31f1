#include "config.h"
/* catalog.c: look-ups in the generated cmdlet catalog (names, aliases, parameters) */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "analyzer/catalog.h"

/* Compare the counted string s with the NUL-terminated table key, case-insensitively. */
static int
ncasecmp_key(const char *s, size_t len, const char *key)
{
	size_t i;

	for (i = 0; i < len && key[i] != '\0'; i++) {
		unsigned char a = (unsigned char)s[i], b = (unsigned char)key[i];

		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		if (a != b)
			return a < b ? -1 : 1;
	}
	if (i < len)
		return 1;
	return key[i] == '\0' ? 0 : -1;
}

/*
 * Name look-ups go through one hash table over the cmdlet names and the aliases, built on
 * first use: the hash of the lower-cased name is computed once and the probe compares only
 * entries with the same hash. A slot holds 0 (empty), 1 + a cmdlet index, or 1 + ncmdlets +
 * an alias index. No alias is also a cmdlet name (the analyzer unit tests check it), so the
 * table answers what binary searches over the two sorted tables answered.
 */
#define NAME_SLOTS 2048	/* a power of two, more than twice the cmdlets and aliases */

static struct name_slot {
	uint32_t	 hash;
	uint32_t	 entry;
} name_slots[NAME_SLOTS];
static uint32_t cmdlet_hashes[NAME_SLOTS];	/* a cmdlet's name's hash, by its index */
static pthread_once_t name_once = PTHREAD_ONCE_INIT;

static const char *
name_key(uint32_t entry)
{
	return entry <= ps_catalog_ncmdlets ? ps_catalog_cmdlets[entry - 1].name :
	    ps_catalog_aliases[entry - 1 - ps_catalog_ncmdlets].alias;
}

uint32_t
ps_catalog_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a over the lower-cased bytes */

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		h = (h ^ (ch | ((unsigned)(ch - 'A') < 26) << 5)) * 16777619u;
	}
	return h;
}

static void
name_insert(const char *key, uint32_t entry)
{
	uint32_t h = ps_catalog_hash(key, strlen(key));

	if (entry <= ps_catalog_ncmdlets && entry <= NAME_SLOTS)
		cmdlet_hashes[entry - 1] = h;

	for (uint32_t n = 0, i = h & (NAME_SLOTS - 1); n < NAME_SLOTS;
	    n++, i = (i + 1) & (NAME_SLOTS - 1)) {
		if (name_slots[i].entry == 0) {
			name_slots[i].hash = h;
			name_slots[i].entry = entry;
			return;
		}
		if (name_slots[i].hash == h && strcasecmp(name_key(name_slots[i].entry), key) == 0)
			return;	/* keep the first, as a cmdlet wins over an alias */
	}
}

static void
name_build(void)
{
	for (size_t i = 0; i < ps_catalog_ncmdlets; i++)
		name_insert(ps_catalog_cmdlets[i].name, (uint32_t)(i + 1));
	for (size_t i = 0; i < ps_catalog_naliases; i++)
		name_insert(ps_catalog_aliases[i].alias, (uint32_t)(ps_catalog_ncmdlets + 1 + i));
}

uint32_t
ps_catalog_name_hash(const struct ps_cmdlet_info *c)
{
	pthread_once(&name_once, name_build);
	return cmdlet_hashes[ps_catalog_index(c)];
}

/* name_lookup: the table entry for name, or 0. */
static uint32_t
name_lookup(const char *name, size_t len)
{
	uint32_t h = ps_catalog_hash(name, len);

	pthread_once(&name_once, name_build);
	for (uint32_t n = 0, i = h & (NAME_SLOTS - 1); n < NAME_SLOTS && name_slots[i].entry != 0;
	    n++, i = (i + 1) & (NAME_SLOTS - 1))
		if (name_slots[i].hash == h &&
		    ncasecmp_key(name, len, name_key(name_slots[i].entry)) == 0)
			return name_slots[i].entry;
	return 0;
}

const struct ps_cmdlet_info *
ps_catalog_find(const char *name, size_t len)
{
	uint32_t e = name_lookup(name, len);

	return e != 0 && e <= ps_catalog_ncmdlets ? &ps_catalog_cmdlets[e - 1] : NULL;
}

const struct ps_alias_info *
ps_catalog_alias(const char *name, size_t len)
{
	uint32_t e = name_lookup(name, len);

	return e > ps_catalog_ncmdlets ? &ps_catalog_aliases[e - 1 - ps_catalog_ncmdlets] : NULL;
}

const struct ps_cmdlet_info *
ps_catalog_resolve(const char *name, size_t len, const struct ps_alias_info **via_alias)
{
	const struct ps_alias_info *a;
	uint32_t e;

	if (via_alias != NULL)
		*via_alias = NULL;
	/* Module-qualified names: Microsoft.PowerShell.Utility\Invoke-Expression. */
	for (size_t i = len; i > 0; i--) {
		if (name[i - 1] == '\\') {
			name += i;
			len -= i;
			break;
		}
	}
	if ((e = name_lookup(name, len)) == 0)
		return NULL;
	if (e <= ps_catalog_ncmdlets)
		return &ps_catalog_cmdlets[e - 1];
	a = &ps_catalog_aliases[e - 1 - ps_catalog_ncmdlets];
	if (via_alias != NULL)
		*via_alias = a;
	return &ps_catalog_cmdlets[a->cmdlet];
}

/* 1 when the comma-separated list contains name (case-insensitive, exact). */
static int
list_has(const char *list, const char *name, size_t len)
{
	const char *p = list;

	while (*p != '\0') {
		const char *e = strchrnul(p, ',');
		size_t n = (size_t)(e - p);

		if (n == len && strncasecmp(p, name, len) == 0)
			return 1;
		if (*e == '\0')
			break;
		p = e + 1;
	}
	return 0;
}

const struct ps_param_info *
ps_catalog_param(const struct ps_cmdlet_info *c, const char *name, size_t len)
{
	const struct ps_param_info *hit = NULL;
	unsigned nhit = 0;

	if (c == NULL || len == 0)
		return NULL;
	for (unsigned i = 0; i < c->nparams; i++) {
		const struct ps_param_info *p = &ps_catalog_params[c->param0 + i];

		/* the first letter before the length: most parameters differ there */
		bool prefix = ((unsigned char)p->name[0] | 0x20) == ((unsigned char)name[0] | 0x20);
		size_t pl = prefix ? strlen(p->name) : 0;

		prefix = prefix && pl >= len && strncasecmp(p->name, name, len) == 0;

		if (prefix && pl == len)
			return p;
		if (p->aliases[0] != '\0' && list_has(p->aliases, name, len))
			return p;
		if (prefix) {
			hit = p;
			nhit++;
		}
	}
	return nhit == 1 ? hit : NULL;
}

static const char *const common_params[] = {
	"Debug", "ErrorAction", "ErrorVariable", "InformationAction", "InformationVariable",
	"OutBuffer", "OutVariable", "PipelineVariable", "ProgressAction", "Verbose",
	"WarningAction", "WarningVariable", "WhatIf", "Confirm",
	"db", "ea", "ev", "infa", "iv", "ob", "ov", "pv", "proga", "vb", "wa", "wv", "wi", "cf"
};

int
ps_catalog_common_param(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(common_params) / sizeof(common_params[0]); i++)
		if (strlen(common_params[i]) == len && strncasecmp(common_params[i], name, len) == 0)
			return 1;
	return 0;
}

size_t
ps_catalog_index(const struct ps_cmdlet_info *c)
{
	return (size_t)(c - ps_catalog_cmdlets);
}

#define VERSIONED_MAX 2048
static unsigned char versioned[VERSIONED_MAX];	/* 1: a parameter not in both versions */
static pthread_once_t versioned_once = PTHREAD_ONCE_INIT;

static void
versioned_build(void)
{
	for (size_t i = 0; i < ps_catalog_ncmdlets && i < VERSIONED_MAX; i++) {
		const struct ps_cmdlet_info *c = &ps_catalog_cmdlets[i];

		for (unsigned k = 0; k < c->nparams; k++)
			if (ps_catalog_params[c->param0 + k].avail != PS_AVAIL_BOTH)
				versioned[i] = 1;
	}
}

bool
ps_catalog_versioned_params(const struct ps_cmdlet_info *c)
{
	size_t i = ps_catalog_index(c);

	if (i >= VERSIONED_MAX)
		return true;	/* not in the table: let the caller look */
	pthread_once(&versioned_once, versioned_build);
	return versioned[i] != 0;
}
