#include "config.h"
/* catalog.c: look-ups in the generated cmdlet catalog (names, aliases, parameters) */

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

const struct ps_cmdlet_info *
ps_catalog_find(const char *name, size_t len)
{
	size_t lo = 0, hi = ps_catalog_ncmdlets;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = ncasecmp_key(name, len, ps_catalog_cmdlets[mid].name);

		if (c == 0)
			return &ps_catalog_cmdlets[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct ps_alias_info *
ps_catalog_alias(const char *name, size_t len)
{
	size_t lo = 0, hi = ps_catalog_naliases;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = ncasecmp_key(name, len, ps_catalog_aliases[mid].alias);

		if (c == 0)
			return &ps_catalog_aliases[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct ps_cmdlet_info *
ps_catalog_resolve(const char *name, size_t len, const struct ps_alias_info **via_alias)
{
	const struct ps_cmdlet_info *c;
	const struct ps_alias_info *a;

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
	if ((c = ps_catalog_find(name, len)) != NULL)
		return c;
	if ((a = ps_catalog_alias(name, len)) == NULL)
		return NULL;
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
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == len && strncasecmp(p, name, len) == 0)
			return 1;
		if (e == NULL)
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

		if (strlen(p->name) == len && strncasecmp(p->name, name, len) == 0)
			return p;
		if (list_has(p->aliases, name, len))
			return p;
		if (strlen(p->name) > len && strncasecmp(p->name, name, len) == 0) {
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
