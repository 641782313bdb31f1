/* conf.c: configuration: a table of keys with types, defaults and bounds */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/conf.h"

enum conf_type { CT_STR, CT_INT, CT_BOOL };

struct conf_def {
	const char	*key;
	enum conf_type	 type;
	size_t		 off;
	const char	*def;
	int64_t		 min, max;
	bool		 secret;
};

#define S(k, f, d) { k, CT_STR, offsetof(struct conf, f), d, 0, 0, false }
#define P(k, f) { k, CT_STR, offsetof(struct conf, f), "", 0, 0, true }
#define I(k, f, d, lo, hi) { k, CT_INT, offsetof(struct conf, f), d, lo, hi, false }
#define B(k, f, d) { k, CT_BOOL, offsetof(struct conf, f), d, 0, 0, false }

static const struct conf_def defs[] = {
	S("DB_HOST", db_host, "localhost"),
	I("DB_PORT", db_port, "5432", 1, 65535),
	S("DB_NAME", db_name, "psscript"),
	S("DB_USER", db_user, "postgres"),
	P("DB_PASSWORD", db_password),
	B("DB_SSL", db_ssl, "false"),
	S("DB_SSL_CA_PATH", db_ssl_ca_path, ""),
	P("DATABASE_URL", database_url),
	I("DB_POOL_MAX", db_pool_max, "10", 1, 1000),
	I("DB_POOL_MIN", db_pool_min, "0", 0, 1000),
	I("DB_ACQUIRE_TIMEOUT_MS", db_acquire_timeout_ms, "30000", 1, 600000),
	I("DB_IDLE_TIMEOUT_MS", db_idle_timeout_ms, "10000", 1, 86400000),
	I("DB_CONNECT_TIMEOUT_MS", db_connect_timeout_ms, "15000", 1000, 600000),
	I("DB_RETRY_MAX", db_retry_max, "5", 0, 100),
	I("DB_RETRY_DELAY_MS", db_retry_delay_ms, "2000", 1, 600000),
	I("DB_DEADLOCK_RETRIES", db_deadlock_retries, "3", 0, 100),
	I("DB_STATEMENT_TIMEOUT_MS", db_statement_timeout_ms, "30000", 0, 3600000),
	S("REDIS_HOST", redis_host, "localhost"),
	I("REDIS_PORT", redis_port, "6379", 1, 65535),
	P("REDIS_URL", redis_url),
	P("REDIS_PASSWORD", redis_password),
	I("REDIS_DB", redis_db, "0", 0, 15),
	I("REDIS_CONNECT_TIMEOUT_MS", redis_connect_timeout_ms, "1000", 1, 60000),
	I("REDIS_COMMAND_TIMEOUT_MS", redis_command_timeout_ms, "500", 1, 60000),
	I("REDIS_HEALTH_INTERVAL_S", redis_health_interval_s, "30", 1, 3600),
	I("REDIS_RETRY_MAX_DELAY_MS", redis_retry_max_delay_ms, "30000", 100, 600000),
	I("CACHE_LRU_ENTRIES", cache_lru_entries, "1024", 0, 1000000),
	I("CACHE_LRU_BYTES", cache_lru_bytes, "16777216", 0, 17179869184LL),
	S("CACHE_SHARED_FILE", cache_shared_file, ""),
	S("PSSCRIPT_ENV", env, "production"),
	S("LOG_LEVEL", log_level, "info"),
	S("PSSCRIPT_DATA_DIR", data_dir, PSS_DATADIR),
	S("PUBLIC_URL", public_url, "https://localhost:3443"),
	S("CORS_ORIGINS", cors_origins, ""),
	I("MAX_BODY_BYTES", max_body_bytes, "1048576", 1024, 1073741824),
	I("MAX_UPLOAD_BYTES", max_upload_bytes, "536870912", 1024, 4294967296LL),
	I("MAX_HEADERS", max_headers, "100", 8, 10000),
	S("METRICS_FILE", metrics_file, ""),
	S("ANALYZER_SETTINGS", analyzer_settings, ""),
	S("EMBEDDING_PROVIDER", embedding_provider, "builtin"),
	S("EMBEDDING_MODEL", embedding_model, ""),
	S("EMBEDDING_MODEL_FILE", embedding_model_file, ""),
	S("EMBEDDING_INDEX_FILE", embedding_index_file, ""),
	S("EMBEDDING_API_URL", embedding_api_url, ""),
	P("EMBEDDING_API_KEY", embedding_api_key),
	I("EMBEDDING_DIMENSIONS", embedding_dimensions, "0", 0, 16000),
	I("EMBEDDING_QUERY_TIMEOUT_MS", embedding_query_timeout_ms, "3000", 100, 600000),
	S("FCGI_BIND", fcgi_bind, ""),
	S("ANSWER_FILES_DIR", answer_files_dir, ""),
	S("ANSWER_FILES_GROUP", answer_files_group, ""),
	I("ANSWER_FILES_MAX_MB", answer_files_max_mb, "256", 1, 1048576),
	I("JOB_RETRY_BASE_MS", job_retry_base_ms, "2000", 1, 3600000),
	I("JOB_POLL_INTERVAL_MS", job_poll_interval_ms, "5000", 10, 600000),
	I("JOB_MAX_ATTEMPTS", job_max_attempts, "5", 1, 100),
	I("JOB_LOCK_TIMEOUT_S", job_lock_timeout_s, "300", 1, 86400),
	I("REANALYZE_BATCH", reanalyze_batch, "100", 0, 100000),
	I("REANALYZE_INTERVAL_S", reanalyze_interval_s, "3600", 1, 604800),
	S("AI_API_URL", ai_api_url, ""),
	P("AI_API_KEY", ai_api_key),
	S("AI_MODEL", ai_model, ""),
	S("AI_SERVICE_URL", ai_service_url, ""),
	I("AI_TIMEOUT_MS", ai_timeout_ms, "60000", 100, 600000),
	I("AI_CONNECT_TIMEOUT_MS", ai_connect_timeout_ms, "5000", 100, 60000),
	I("AI_LOW_SPEED_BYTES", ai_low_speed_bytes, "256", 1, 1048576),
	I("AI_LOW_SPEED_MS", ai_low_speed_ms, "5000", 100, 600000),
	I("AI_MAX_RESPONSE_BYTES", ai_max_response_bytes, "1048576", 1024, 67108864),
	I("AI_MAX_PROMPT_BYTES", ai_max_prompt_bytes, "65536", 1024, 4194304),
	B("CRAWL_ALLOW_PRIVATE", crawl_allow_private, "false"),
	B("CRAWL_ALLOW_LOOPBACK", crawl_allow_loopback, "false"),
	I("CRAWL_DELAY_MS", crawl_delay_ms, "1000", 0, 60000),
	I("CRAWL_MAX_BYTES", crawl_max_bytes, "5242880", 1024, 104857600),
	I("CRAWL_TIMEOUT_MS", crawl_timeout_ms, "30000", 100, 600000),
	S("CRAWL_FILE_ROOT", crawl_file_root, ""),
	I("BCRYPT_COST", bcrypt_cost, "12", 4, 31),
	I("LOCKOUT_MAX_ATTEMPTS", lockout_max_attempts, "5", 1, 1000),
	I("LOCKOUT_DURATION_S", lockout_duration_s, "1800", 1, 31536000),
	I("SESSION_ACCESS_TTL_S", session_access_ttl_s, "86400", 60, 31536000),
	I("SESSION_REFRESH_TTL_S", session_refresh_ttl_s, "604800", 60, 31536000),
};

static const struct conf_def *
find_def(const char *key)
{
	for (size_t i = 0; i < PSS_ARRAY_LEN(defs); i++)
		if (strcmp(defs[i].key, key) == 0)
			return &defs[i];
	return NULL;
}

static int
set_value(struct conf *c, const struct conf_def *d, const char *val, const char *from,
    char *err, size_t errsz)
{
	void *field = (char *)c + d->off;

	switch (d->type) {
	case CT_STR:
		if (!utf8_valid(val, strlen(val))) {
			snprintf(err, errsz, "%s (%s): not valid UTF-8", d->key, from);
			return -1;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(val);
		return 0;
	case CT_INT:
		if (parse_int64(val, d->min, d->max, (int64_t *)field) != 0) {
			snprintf(err, errsz, "%s (%s): must be a whole number from %lld to %lld, got \"%.40s\"",
			    d->key, from, (long long)d->min, (long long)d->max, val);
			return -1;
		}
		return 0;
	case CT_BOOL:
		if (parse_bool(val, (bool *)field) != 0) {
			snprintf(err, errsz, "%s (%s): must be true or false, got \"%.40s\"",
			    d->key, from, val);
			return -1;
		}
		return 0;
	}
	return -1;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
load_file(struct conf *c, const char *path, char *err, size_t errsz)
{
	char line[4096], where[300];
	FILE *f;
	int lineno = 0, rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsz, "config file %s: %s", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		char *eq, *key, *val;
		const struct conf_def *d;
		size_t vlen;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errsz, "%s:%d: line too long", path, lineno);
			rc = -1;
			break;
		}
		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			snprintf(err, errsz, "%s:%d: expected KEY=value", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		vlen = strlen(val);
		if (vlen >= 2 && (val[0] == '"' || val[0] == '\'') && val[vlen - 1] == val[0]) {
			val[vlen - 1] = '\0';
			val++;
		}
		if ((d = find_def(key)) == NULL) {
			snprintf(err, errsz, "%s:%d: unknown key %.60s", path, lineno, key);
			rc = -1;
			break;
		}
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		rc = set_value(c, d, val, where, err, errsz);
	}
	fclose(f);
	return rc;
}

/* An AI endpoint: "" (off), or an http:// or https:// URL with a host, no spaces or controls. */
static bool
url_ok(const char *u)
{
	const char *host = strncmp(u, "http://", 7) == 0 ? u + 7 :
	    strncmp(u, "https://", 8) == 0 ? u + 8 : NULL;

	if (*u == '\0')
		return true;
	if (host == NULL || *host == '\0' || *host == '/' || *host == ':' || strlen(u) > 2048)
		return false;
	for (; *u != '\0'; u++)
		if ((unsigned char)*u <= 0x20 || *u == 0x7f)
			return false;
	return true;
}

/* The AI keys together: each URL well-formed, a model with an API, one provider at a time. */
static int
check_ai(const struct conf *c, char *err, size_t errsz)
{
	if (!url_ok(c->ai_api_url) || !url_ok(c->ai_service_url)) {
		snprintf(err, errsz, "%s: must be an http:// or https:// URL with a host",
		    url_ok(c->ai_api_url) ? "AI_SERVICE_URL" : "AI_API_URL");
		return -1;
	}
	if (c->ai_api_url[0] != '\0' && c->ai_model[0] == '\0') {
		snprintf(err, errsz, "AI_MODEL: required when AI_API_URL is set");
		return -1;
	}
	if (c->ai_api_url[0] != '\0' && c->ai_service_url[0] != '\0') {
		snprintf(err, errsz, "AI_SERVICE_URL: set, but so is AI_API_URL: choose one provider");
		return -1;
	}
	if (strpbrk(c->ai_api_key, "\r\n") != NULL || strlen(c->ai_model) > 100 ||
	    strpbrk(c->ai_model, "\r\n") != NULL) {
		snprintf(err, errsz, "%s: must be one line (AI_MODEL at most 100 bytes)",
		    strpbrk(c->ai_api_key, "\r\n") != NULL ? "AI_API_KEY" : "AI_MODEL");
		return -1;
	}
	return 0;
}

bool
conf_cors_allows(const char *list, const char *origin)
{
	size_t n;

	if (list == NULL || origin == NULL || *origin == '\0' || strcmp(origin, "null") == 0)
		return false;
	n = strlen(origin);
	while (*list != '\0') {
		size_t k;

		while (*list == ' ' || *list == ',')
			list++;
		k = strcspn(list, ", ");
		if (k == n && strncmp(list, origin, n) == 0)
			return true;
		list += k;
	}
	return false;
}

/* CORS_ORIGINS: each entry an origin as browsers send it: http:// or https://, a host, an
 * optional port, nothing after (no path, no wildcard: credentials go to listed sites only). */
static int
check_cors(const char *list, char *err, size_t errsz)
{
	while (*list != '\0') {
		char one[300];
		const char *host;
		size_t k;

		while (*list == ' ' || *list == ',')
			list++;
		if ((k = strcspn(list, ", ")) == 0)
			break;
		snprintf(one, sizeof(one), "%.*s", (int)k, list);
		host = strncmp(one, "https://", 8) == 0 ? one + 8 : strncmp(one, "http://", 7) == 0 ?
		    one + 7 : NULL;
		if (k >= sizeof(one) || host == NULL || *host == '\0' || *host == ':' ||
		    strspn(host, "abcdefghijklmnopqrstuvwxyz0123456789.-:[]") != strlen(host)) {
			snprintf(err, errsz, "CORS_ORIGINS: \"%.60s\" is not an origin (http:// or https://, "
			    "a lower-case host, an optional port; no path, no wildcard)", one);
			return -1;
		}
		list += k;
	}
	return 0;
}

static int
load(struct conf *c, const char *path, char *err, size_t errsz)
{
	const char *v;

	for (size_t i = 0; i < PSS_ARRAY_LEN(defs); i++)
		if (set_value(c, &defs[i], defs[i].def, "default", err, errsz) != 0)
			return -1;
	if (path == NULL && (v = getenv("PSSCRIPT_CONFIG")) != NULL && *v != '\0')
		path = v;
	if (path != NULL && load_file(c, path, err, errsz) != 0)
		return -1;
	for (size_t i = 0; i < PSS_ARRAY_LEN(defs); i++)
		if ((v = getenv(defs[i].key)) != NULL &&
		    set_value(c, &defs[i], v, "environment", err, errsz) != 0)
			return -1;
	if (strcmp(c->env, "production") != 0 && strcmp(c->env, "development") != 0) {
		snprintf(err, errsz, "PSSCRIPT_ENV: must be production or development, got \"%.40s\"", c->env);
		return -1;
	}
	if (log_level_parse(c->log_level) == LOG__MAX) {
		snprintf(err, errsz, "LOG_LEVEL: must be debug, info, warn or error, got \"%.40s\"", c->log_level);
		return -1;
	}
	if (c->db_pool_min > c->db_pool_max) {
		snprintf(err, errsz, "DB_POOL_MIN: must not exceed DB_POOL_MAX");
		return -1;
	}
	if (c->database_url[0] != '\0' && strncmp(c->database_url, "postgresql://", 13) != 0 &&
	    strncmp(c->database_url, "postgres://", 11) != 0) {
		snprintf(err, errsz, "DATABASE_URL: must start with postgresql:// or postgres://");
		return -1;
	}
	if (c->redis_url[0] != '\0' && strncmp(c->redis_url, "redis://", 8) != 0 &&
	    strncmp(c->redis_url, "unix://", 7) != 0) {
		snprintf(err, errsz, "REDIS_URL: must start with redis:// or unix://");
		return -1;
	}
	if (check_ai(c, err, errsz) != 0)
		return -1;
	if (check_cors(c->cors_origins, err, errsz) != 0)
		return -1;
	if (c->db_ssl_ca_path[0] != '\0' && !c->db_ssl) {
		snprintf(err, errsz, "DB_SSL_CA_PATH: set, but DB_SSL is false");
		return -1;
	}
	return 0;
}

/* conf_load: on failure nothing is left to free (a test loads bad settings over and over). */
int
conf_load(struct conf *c, const char *path, char *err, size_t errsz)
{
	memset(c, 0, sizeof(*c));
	if (load(c, path, err, errsz) == 0)
		return 0;
	conf_free(c);
	return -1;
}

void
conf_free(struct conf *c)
{
	for (size_t i = 0; i < PSS_ARRAY_LEN(defs); i++)
		if (defs[i].type == CT_STR) {
			char **p = (char **)((char *)c + defs[i].off);

			free(*p);
			*p = NULL;
		}
}

bool
conf_is_dev(const struct conf *c)
{
	return strcmp(c->env, "development") == 0;
}

/* Quote a libpq conninfo value: single quotes, with \ and ' escaped. */
static void
pg_quote(struct buf *b, const char *key, const char *val)
{
	buf_printf(b, "%s='", key);
	for (const char *p = val; *p; p++) {
		if (*p == '\\' || *p == '\'')
			buf_putc(b, '\\');
		buf_putc(b, *p);
	}
	buf_puts(b, "' ");
}

char *
conf_pg_conninfo(const struct conf *c)
{
	struct buf b = BUF_INIT;
	char num[32];

	if (c->database_url[0] != '\0')
		pg_quote(&b, "dbname", c->database_url);	/* libpq expands a URI given as dbname */
	else {
		pg_quote(&b, "host", c->db_host);
		snprintf(num, sizeof(num), "%lld", (long long)c->db_port);
		pg_quote(&b, "port", num);
		pg_quote(&b, "dbname", c->db_name);
		pg_quote(&b, "user", c->db_user);
		if (c->db_password[0] != '\0')
			pg_quote(&b, "password", c->db_password);
	}
	if (c->db_ssl) {
		/* Production TLS: verify the chain and the host name (rejectUnauthorized: true). */
		pg_quote(&b, "sslmode", conf_is_dev(c) ? "require" : "verify-full");
		if (c->db_ssl_ca_path[0] != '\0')
			pg_quote(&b, "sslrootcert", c->db_ssl_ca_path);
	} else if (c->database_url[0] == '\0')
		pg_quote(&b, "sslmode", "disable");
	snprintf(num, sizeof(num), "%lld", (long long)(c->db_connect_timeout_ms + 999) / 1000);
	pg_quote(&b, "connect_timeout", num);
	pg_quote(&b, "application_name", "psscript");
	return buf_detach(&b);
}

void
conf_dump(const struct conf *c)
{
	for (size_t i = 0; i < PSS_ARRAY_LEN(defs); i++) {
		const void *field = (const char *)c + defs[i].off;

		switch (defs[i].type) {
		case CT_STR: {
			const char *s = *(char *const *)field;

			printf("%s=%s\n", defs[i].key,
			    defs[i].secret && s[0] != '\0' ? "********" : s);
			break;
		}
		case CT_INT:
			printf("%s=%lld\n", defs[i].key, (long long)*(const int64_t *)field);
			break;
		case CT_BOOL:
			printf("%s=%s\n", defs[i].key, *(const bool *)field ? "true" : "false");
			break;
		}
	}
}
