/* catalog.h: the cmdlet catalog generated from PowerShell-Docs (5.1 and 7.6) */
#ifndef PSS_ANALYZER_CATALOG_H
#define PSS_ANALYZER_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Availability bits: in which PowerShell the cmdlet, alias or parameter is documented. */
enum ps_avail {
	PS_AVAIL_51 = 1,
	PS_AVAIL_76 = 2,
	PS_AVAIL_BOTH = 3
};

enum ps_param_flags {
	PS_PARAM_SWITCH = 1,
	PS_PARAM_MANDATORY = 2
};

struct ps_param_info {
	const char	*name;		/* without the dash, documented spelling */
	const char	*type;		/* .NET type name, e.g. System.String[] */
	const char	*aliases;	/* comma-separated, "" when none */
	int		 position;	/* 0-based position, -1 when named only */
	unsigned	 avail;		/* enum ps_avail bits */
	unsigned	 flags;		/* enum ps_param_flags */
};

struct ps_cmdlet_info {
	const char	*name;		/* Verb-Noun */
	const char	*module;
	const char	*aliases;	/* comma-separated, "" when none */
	const char	*synopsis;
	const char	*url;		/* learn.microsoft.com reference page */
	unsigned	 avail;		/* enum ps_avail bits */
	unsigned	 param0;	/* index of the first parameter in ps_catalog_params */
	unsigned	 nparams;
	const char	*mandatory;	/* the mandatory parameters of each parameter set
					 * ("Path;LiteralPath", "Name,Value"), "" unless every set
					 * has one (PSUseCmdletCorrectly) */
};

struct ps_alias_info {
	const char	*alias;		/* lower case */
	unsigned	 cmdlet;	/* index into ps_catalog_cmdlets */
	unsigned	 avail;		/* where the alias exists */
};

/* The generated tables (catalog_data.c), sorted case-insensitively by name. */
extern const struct ps_param_info ps_catalog_params[];
extern const struct ps_cmdlet_info ps_catalog_cmdlets[];
extern const size_t ps_catalog_ncmdlets;
extern const struct ps_alias_info ps_catalog_aliases[];
extern const size_t ps_catalog_naliases;

/* ps_catalog_find: the cmdlet named name (len bytes, case-insensitive) or NULL. */
const struct ps_cmdlet_info *ps_catalog_find(const char *name, size_t len);

/* ps_catalog_alias: the alias entry for name (case-insensitive) or NULL. */
const struct ps_alias_info *ps_catalog_alias(const char *name, size_t len);

/* ps_catalog_resolve: the cmdlet for a command name or alias, or NULL; *via_alias is set to
 * the alias entry when name was an alias (may be NULL). */
const struct ps_cmdlet_info *ps_catalog_resolve(const char *name, size_t len,
    const struct ps_alias_info **via_alias);

/* ps_catalog_param: the parameter of c matching the (possibly abbreviated, dash-less) name, or
 * NULL when none or ambiguous. Exact names and parameter aliases win over prefixes. */
const struct ps_param_info *ps_catalog_param(const struct ps_cmdlet_info *c,
    const char *name, size_t len);

/* ps_catalog_common_param: 1 when name is a common parameter (Verbose, ErrorAction, WhatIf...). */
int ps_catalog_common_param(const char *name, size_t len);

/* ps_catalog_hash: the hash of a name (len bytes) the look-ups use; equal for names that are
 * equal case-insensitively (ASCII). */
uint32_t ps_catalog_hash(const char *name, size_t len);
/* ps_catalog_name_hash: ps_catalog_hash of c's name, computed once per process. */
uint32_t ps_catalog_name_hash(const struct ps_cmdlet_info *c);

/* ps_catalog_index: index of c in ps_catalog_cmdlets. */
size_t ps_catalog_index(const struct ps_cmdlet_info *c);
/* ps_catalog_versioned_params: c has a parameter that exists in only one PowerShell version
 * (a table built once per process). */
bool	 ps_catalog_versioned_params(const struct ps_cmdlet_info *c);

#endif
