/* conf.h: configuration from the environment and an optional key=value file */
#ifndef PSS_CONF_H
#define PSS_CONF_H

#include <stdbool.h>
#include <stdint.h>

/* Every setting, validated. Strings are owned by the struct (conf_free). */
struct conf {
	/* PostgreSQL (DATABASE_URL wins over DB_* when set) */
	char	*db_host;
	int64_t	 db_port;
	char	*db_name;
	char	*db_user;
	char	*db_password;
	bool	 db_ssl;
	char	*db_ssl_ca_path;
	char	*database_url;
	int64_t	 db_pool_max;
	int64_t	 db_pool_min;
	int64_t	 db_acquire_timeout_ms;
	int64_t	 db_idle_timeout_ms;
	int64_t	 db_connect_timeout_ms;
	int64_t	 db_retry_max;
	int64_t	 db_retry_delay_ms;
	int64_t	 db_deadlock_retries;
	int64_t	 db_statement_timeout_ms;
	/* Redis (REDIS_URL wins over REDIS_HOST/PORT when set) */
	char	*redis_host;
	int64_t	 redis_port;
	char	*redis_url;
	char	*redis_password;
	int64_t	 redis_db;
	int64_t	 redis_connect_timeout_ms;
	int64_t	 redis_command_timeout_ms;
	int64_t	 redis_health_interval_s;
	int64_t	 redis_retry_max_delay_ms;
	int64_t	 cache_lru_entries;
	int64_t	 cache_lru_bytes;	/* of the values held in one process */
	char	*cache_shared_file;	/* the shared generation; "" = no hot copies */
	/* The application */
	char	*env;			/* production or development */
	char	*log_level;
	char	*data_dir;		/* templates, sql, static (installed pkgdatadir) */
	char	*public_url;		/* https://host:port, for links and cookies */
	char	*cors_origins;		/* CORS_ORIGINS: exact origins, comma-separated ("" off) */
	int64_t	 max_body_bytes;	/* JSON and form bodies */
	int64_t	 max_upload_bytes;	/* multipart upload bodies */
	int64_t	 max_headers;		/* header count cap */
	char	*metrics_file;		/* shared counters file; "" = per process */
	char	*analyzer_settings;	/* PSScriptAnalyzer settings file (.psd1) the job runner
					 * analyses with; "" = PSScriptAnalyzer's defaults */
	/* Search by meaning (docs/search.md) */
	char	*embedding_provider;	/* builtin, openai or psscript-ai */
	char	*embedding_model;	/* the provider's model; "" = its default */
	char	*embedding_model_file;	/* the built-in model; "" = <data_dir>/embed/builtin-lsi.bin */
	char	*embedding_index_file;	/* the flat vector file; "" = none (PostgreSQL's copy) */
	char	*embedding_api_url;	/* openai or psscript-ai; "" = AI_API_URL / AI_SERVICE_URL */
	char	*embedding_api_key;	/* "" = AI_API_KEY */
	int64_t	 embedding_dimensions;	/* a remote model's size; 0 = 1536 (and not sent) */
	int64_t	 embedding_query_timeout_ms;	/* a search's query embedding, whole */
	char	*fcgi_bind;		/* "" = fd 0 from spawn-fcgi */
	/* Answer files (http.h): large cached answers sent by nginx from this folder */
	char	*answer_files_dir;	/* "" = off (every answer over FastCGI) */
	char	*answer_files_group;	/* the folder's group (nginx's), "" = the user's */
	int64_t	 answer_files_max_mb;	/* the job runner's sweep keeps the folder under it */
	int64_t	 job_retry_base_ms;
	int64_t	 job_poll_interval_ms;
	int64_t	 job_max_attempts;
	int64_t	 job_lock_timeout_s;	/* a running job whose heartbeat is older is taken again */
	int64_t	 reanalyze_batch;	/* stale analyses queued per sweep; 0 = no sweeps */
	int64_t	 reanalyze_interval_s;	/* between sweeps that found no more stale ones */
	/* Optional AI providers of the analysis's prose (docs/ai.md); both "" = off */
	char	*ai_api_url;		/* OpenAI-compatible base URL (…/v1) */
	char	*ai_api_key;
	char	*ai_model;
	char	*ai_service_url;	/* the original PSScript AI service (http://host:8000) */
	int64_t	 ai_timeout_ms;		/* the whole request */
	int64_t	 ai_connect_timeout_ms;
	int64_t	 ai_low_speed_bytes;	/* once the answer began, at least this many … */
	int64_t	 ai_low_speed_ms;	/* … in every window of this length */
	int64_t	 ai_max_response_bytes;
	int64_t	 ai_max_prompt_bytes;	/* of the script sent along (cut on a character) */
	/* The documentation crawler (README, "The crawler") */
	bool	 crawl_allow_private;	/* private, link-local and loopback addresses */
	bool	 crawl_allow_loopback;	/* loopback only (the local stack) */
	int64_t	 crawl_delay_ms;	/* between two requests to one host */
	int64_t	 crawl_max_bytes;	/* one page */
	int64_t	 crawl_timeout_ms;	/* one request, whole */
	char	*crawl_file_root;	/* file URLs must lie inside; "" = no file URLs */
	/* Accounts */
	int64_t	 bcrypt_cost;		/* libxcrypt $2b$ cost */
	int64_t	 lockout_max_attempts;	/* consecutive failed logins that lock an account */
	int64_t	 lockout_duration_s;
	int64_t	 session_access_ttl_s;
	int64_t	 session_refresh_ttl_s;
};

/* conf_load: defaults, then the file (when path is not NULL, or PSSCRIPT_CONFIG names one),
 * then the environment. Returns 0, or -1 after writing one message naming the bad key into
 * err (errsz bytes). The file is `KEY=value` lines; blank lines and # comments are skipped;
 * an unknown key in the file is an error (a typo must not pass silently). */
int	 conf_load(struct conf *, const char *path, char *err, size_t errsz);
void	 conf_free(struct conf *);
bool	 conf_is_dev(const struct conf *);

/* conf_cors_allows: whether origin (a request's Origin header, may be NULL) is one of the
 * comma-separated origins of list (CORS_ORIGINS) exactly: scheme, host and port, byte for
 * byte; never "null", never by pattern. Pure (issue 19 item 6, docs/compat.md). */
bool	 conf_cors_allows(const char *list, const char *origin);

/* conf_pg_conninfo: a libpq keyword/value conninfo string for this configuration (caller frees). */
char	*conf_pg_conninfo(const struct conf *);

/* conf_dump: writes every key and its value (passwords masked) to stdout. */
void	 conf_dump(const struct conf *);

#endif
