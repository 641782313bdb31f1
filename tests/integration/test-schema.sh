#!/bin/bash
# test-schema.sh: the SQL migrations against a real PostgreSQL (TAP output).
#
# Environment:
#   PGHOST, PGPORT, PGUSER, PGDATABASE  an empty scratch database; when
#                        PGDATABASE is unset the script starts its own
#                        throw-away PostgreSQL cluster (initdb in a temp folder)
#   PSS_MIGRATE          the migration command; the test runs "$PSS_MIGRATE up"
#                        and "$PSS_MIGRATE down" (repeated until no migration is
#                        left applied).  Unset: a small fallback below applies
#                        the files with psql, one transaction each.
#   PSS_MIGRATIONS_DIR   default: sql/migrations of the source tree
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=${PSS_SRCDIR:-$(cd "$here/../.." && pwd)}
migdir=${PSS_MIGRATIONS_DIR:-$top/sql/migrations}
tmp=$(mktemp -d /tmp/pss-schema.XXXXXX)
chmod 755 "$tmp"
log=$tmp/migrate.log
own_cluster=

cleanup() {
	if [ -n "$own_cluster" ]; then
		as_pg "$own_cluster/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# initdb refuses to run as root; run the throw-away cluster as nobody then.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u nobody -- "$@"
	else
		"$@"
	fi
}

start_cluster() {
	local bin
	bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	[ -x "$bin/initdb" ] || { echo "Bail out! no PGDATABASE given and no PostgreSQL server installed"; exit 1; }
	[ "$(id -u)" = 0 ] && chown nobody "$tmp"
	as_pg "$bin/initdb" -D "$tmp/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
		>"$tmp/initdb.log" 2>&1 || { echo "Bail out! initdb failed"; sed 's/^/# /' "$tmp/initdb.log"; exit 1; }
	export PGPORT=$((20000 + $$ % 20000)) PGHOST=$tmp PGUSER=postgres PGDATABASE=postgres
	as_pg "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/pg.log" -w \
		-o "-p $PGPORT -k $tmp -c listen_addresses='' -c fsync=off" start >/dev/null \
		|| { echo "Bail out! PostgreSQL did not start"; sed 's/^/# /' "$tmp/pg.log"; exit 1; }
	own_cluster=$bin
}

[ -n "${PGDATABASE:-}" ] || start_cluster
# Debian's /usr/bin/psql is a Perl wrapper that costs ~50 ms a call: use the
# real binary when there is one.
psql=$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1)
[ -x "$psql" ] || psql=psql
pg_dump=${psql%psql}pg_dump
# The psscript binaries read the spec's DB_* variables.
export DB_HOST=${DB_HOST:-${PGHOST:-localhost}} DB_PORT=${DB_PORT:-${PGPORT:-5432}}
export DB_USER=${DB_USER:-${PGUSER:-postgres}} DB_NAME=${DB_NAME:-$PGDATABASE}
export PGOPTIONS='--client-min-messages=warning'

# --- TAP ------------------------------------------------------------------
n=0
failed=0
ok() {	# ok STATUS NAME [DIAGNOSTIC]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		failed=$((failed + 1))
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/#   /'
	fi
	return 0
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# q SQL: run one statement, print its rows unaligned (fields split by |).
q() { "$psql" -X -q -A -t -v ON_ERROR_STOP=1 -c "$1" 2>&1; }
# is NAME EXPECTED SQL
is() {
	local got
	got=$(q "$3")
	if [ "$got" = "$2" ]; then ok 0 "$1"; else ok 1 "$1" "expected: $2
got: $got"; fi
}
# rejects NAME PATTERN SQL: the statement fails with an error matching PATTERN
rejects() {
	local out rc
	out=$(q "$3"); rc=$?
	if [ $rc -ne 0 ] && printf '%s' "$out" | grep -qE "$2"; then
		ok 0 "$1"
	else
		ok 1 "$1" "expected an error matching /$2/, got (rc $rc): $out"
	fi
}
# runs NAME SQL: the statements succeed
runs() {
	local out
	if out=$("$psql" -X -q -A -t -v ON_ERROR_STOP=1 -c "$2" 2>&1); then ok 0 "$1"; else ok 1 "$1" "$out"; fi
}

# --- migration runner -------------------------------------------------------
nfiles=$(ls "$migdir"/[0-9]*.up.sql 2>/dev/null | wc -l)

fallback_up() {
	local f base ver
	q "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL,
		checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())" >/dev/null || return 1
	done_versions=" $(q "SELECT string_agg(version::text, ' ') FROM schema_migrations") "
	for f in $(ls "$migdir"/[0-9]*.up.sql | sort); do
		base=$(basename "$f" .up.sql)
		ver=$((10#${base%%_*}))
		case $done_versions in *" $ver "*) continue ;; esac
		"$psql" -X -q -v ON_ERROR_STOP=1 -1 -f "$f" -c "INSERT INTO schema_migrations (version, name, checksum)
			VALUES ($ver, '${base#*_}', '$(sha256sum <"$f" | cut -c1-64)')" || return 1
	done
	q "SELECT psscript_upgrade_vectors()" >/dev/null
}

fallback_down() {
	local row ver name f
	row=$(q "SELECT version || ' ' || name FROM schema_migrations ORDER BY version DESC LIMIT 1") || return 1
	[ -n "$row" ] || return 0
	ver=${row%% *} name=${row#* }
	f=$(printf '%s/%04d_%s.down.sql' "$migdir" "$ver" "$name")
	"$psql" -X -q -v ON_ERROR_STOP=1 -1 -f "$f" -c "DELETE FROM schema_migrations WHERE version = $ver"
}

migrate_up() {
	if [ -n "${PSS_MIGRATE:-}" ]; then $PSS_MIGRATE up; else fallback_up; fi >>"$log" 2>&1
}

applied() { q "SELECT count(*) FROM schema_migrations"; }

# Down until nothing is applied (a runner whose down undoes everything at once
# also passes); fails on an error or when a down makes no progress.
migrate_down_all() {
	local i before now
	now=$(applied)
	for i in $(seq 1 $((nfiles + 1))); do
		before=$now
		[ "$before" = 0 ] && return 0
		if [ -n "${PSS_MIGRATE:-}" ]; then $PSS_MIGRATE down; else fallback_down; fi >>"$log" 2>&1 || return 1
		now=$(applied)
		[ "$now" -lt "$before" ] || return 1
	done
	[ "$now" = 0 ]
}

# --- static checks of the files ----------------------------------------------
missing=
for f in "$migdir"/[0-9]*.up.sql; do
	[ -f "${f%.up.sql}.down.sql" ] || missing="$missing $(basename "$f")"
done
ok "$([ "$nfiles" -gt 0 ] && [ -z "$missing" ]; echo $?)" "every up migration has its down file" "missing:$missing"
dups=$(ls "$migdir"/[0-9]*.up.sql | sed 's|.*/||; s|_.*||' | sort | uniq -d)
ok "$([ -z "$dups" ]; echo $?)" "migration numbers are unique" "$dups"
tx=$(grep -liE '^[[:space:]]*(BEGIN|COMMIT|ROLLBACK|START TRANSACTION)[[:space:]]*;' "$migdir"/*.sql)
ok "$([ -z "$tx" ]; echo $?)" "no migration opens or ends a transaction itself" "$tx"
pw=$(grep -liE 'INSERT INTO users' "$migdir"/*.sql)
ok "$([ -z "$pw" ]; echo $?)" "no migration seeds a user or a password" "$pw"

# --- each down file undoes its up file exactly --------------------------------
# The files alone (no runner): apply them one by one with a full dump (schema
# and data) before each, then undo them one by one and compare.
is "the scratch database starts empty" 0 \
	"SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
dump() { "$pg_dump" --no-owner --no-privileges "$PGDATABASE" 2>&1 | grep -vE '^(-- Dumped|\\(un)?restrict )'; }
if "$pg_dump" --version >/dev/null 2>&1 && dump >/dev/null; then
	ups=$(ls "$migdir"/[0-9]*.up.sql | sort)
	applied_ok=0
	for f in $ups; do
		dump >"$tmp/before.$(basename "$f" .up.sql)"
		"$psql" -X -q -v ON_ERROR_STOP=1 -1 -f "$f" >>"$log" 2>&1 || { applied_ok=1; break; }
	done
	ok $applied_ok "every up file applies on its own, in order" "$(tail -n 20 "$log")"
	for f in $(printf '%s\n' $ups | sort -r); do
		base=$(basename "$f" .up.sql)
		[ -f "$tmp/before.$base" ] || continue
		out=$("$psql" -X -q -v ON_ERROR_STOP=1 -1 -f "$migdir/$base.down.sql" 2>&1) &&
			out=$(dump | diff "$tmp/before.$base" - | head -n 30) && [ -z "$out" ]
		ok $? "$base: down leaves the database exactly as before up" "$out"
	done
else
	skip "each down file undoes its up file exactly" "no pg_dump matching the server"
fi

# --- up ----------------------------------------------------------------------
is "the round trip leaves the database empty" 0 \
	"SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
migrate_up; rc=$?
ok $rc "up applies every migration" "$(tail -n 20 "$log")"
is "schema_migrations records every migration" "$nfiles" "SELECT count(*) FROM schema_migrations"
migrate_up; rc=$?
ok "$([ $rc = 0 ] && [ "$(applied)" = "$nfiles" ]; echo $?)" "up with nothing pending changes nothing" \
	"$(tail -n 20 "$log")"

# --- tables and columns (DATABASE.md) ----------------------------------------
spec_tables="users scripts script_analysis script_embeddings categories tags script_tags
	script_versions execution_logs chat_history documentation"
extra_tables="user_sessions jobs uploads agent_conversations agent_messages agent_tool_calls
	server_secrets device_lockouts lock_events"
q "SELECT tablename FROM pg_tables WHERE schemaname = 'public'" >"$tmp/tables"
for t in $spec_tables $extra_tables; do
	ok "$(grep -qx "$t" "$tmp/tables"; echo $?)" "table $t exists"
done

have_vector=$(q "SELECT count(*) FROM pg_extension WHERE extname = 'vector'")
if [ "$have_vector" = 1 ]; then emb=vector\(1536\); else emb='real[]'; fi
# script_embeddings holds each model's dimension (0025, issue 16): pgvector's vector without one
if [ "$have_vector" = 1 ]; then semb=vector; else semb='real[]'; fi

# table|column|type|N when the spec says NOT NULL or PK|default ('' = none)
# SERIAL is integer with a sequence default, FLOAT double precision; every
# TIMESTAMP is timestamptz (docs/schema.md).
spec_columns=$(cat <<EOF
users|id|integer|N|serial
users|username|character varying(255)|N|
users|email|character varying(255)|N|
users|password_hash|character varying(255)|N|
users|role|character varying(50)||'user'::character varying
users|last_login_at|timestamp with time zone||
users|login_attempts|integer||0
users|locked_until|timestamp with time zone||
users|created_at|timestamp with time zone||now()
users|updated_at|timestamp with time zone||now()
scripts|id|integer|N|serial
scripts|title|character varying(255)|N|
scripts|description|text||
scripts|content|text|N|
scripts|user_id|integer||
scripts|category_id|integer||
scripts|version|integer||1
scripts|is_public|boolean||false
scripts|execution_count|integer||0
scripts|file_hash|character varying(255)||
scripts|average_execution_time|double precision||
scripts|last_executed_at|timestamp with time zone||
scripts|created_at|timestamp with time zone||now()
scripts|updated_at|timestamp with time zone||now()
script_analysis|id|integer|N|serial
script_analysis|script_id|integer||
script_analysis|purpose|text||
script_analysis|security_score|double precision||
script_analysis|quality_score|double precision||
script_analysis|risk_score|double precision||
script_analysis|parameter_docs|jsonb||'{}'::jsonb
script_analysis|suggestions|jsonb||'[]'::jsonb
script_analysis|command_details|jsonb||'[]'::jsonb
script_analysis|ms_docs_references|jsonb||'[]'::jsonb
script_analysis|security_issues|jsonb||'[]'::jsonb
script_analysis|best_practice_violations|jsonb||'[]'::jsonb
script_analysis|performance_insights|jsonb||'[]'::jsonb
script_analysis|potential_risks|jsonb||'[]'::jsonb
script_analysis|code_complexity_metrics|jsonb||'{}'::jsonb
script_analysis|compatibility_notes|jsonb||'[]'::jsonb
script_analysis|execution_summary|jsonb||'{}'::jsonb
script_analysis|analysis_version|character varying||'1.0'::character varying
script_analysis|created_at|timestamp with time zone||now()
script_analysis|updated_at|timestamp with time zone||now()
script_embeddings|id|integer|N|serial
script_embeddings|script_id|integer||
script_embeddings|embedding|$semb|N|
script_embeddings|embedding_type|character varying(50)||'openai'::character varying
script_embeddings|model_version|character varying(50)||'text-embedding-ada-002'::character varying
script_embeddings|created_at|timestamp with time zone||now()
script_embeddings|updated_at|timestamp with time zone||now()
script_embeddings|dimensions|integer|N|
script_embeddings|seq|bigint|N|nextval('script_embeddings_seq'::regclass)
script_embeddings|text_hash|text||
categories|id|integer|N|serial
categories|name|character varying(255)|N|
categories|description|text||
categories|created_at|timestamp with time zone||now()
categories|updated_at|timestamp with time zone||now()
tags|id|integer|N|serial
tags|name|character varying(255)|N|
tags|created_at|timestamp with time zone||now()
script_tags|script_id|integer|N|
script_tags|tag_id|integer|N|
script_tags|created_at|timestamp with time zone||now()
script_versions|id|integer|N|serial
script_versions|script_id|integer||
script_versions|content|text|N|
script_versions|version|integer|N|
script_versions|user_id|integer||
script_versions|commit_message|text||
script_versions|created_at|timestamp with time zone||now()
execution_logs|id|integer|N|serial
execution_logs|script_id|integer||
execution_logs|user_id|integer||
execution_logs|status|character varying(50)|N|
execution_logs|execution_time|double precision||
execution_logs|parameters|jsonb||'{}'::jsonb
execution_logs|error_message|text||
execution_logs|ip_address|character varying(45)||
execution_logs|created_at|timestamp with time zone||now()
chat_history|id|integer|N|serial
chat_history|user_id|integer||
chat_history|messages|jsonb|N|
chat_history|response|text|N|
chat_history|embedding|$emb||
chat_history|created_at|timestamp with time zone||now()
chat_history|updated_at|timestamp with time zone||now()
documentation|id|integer|N|serial
documentation|title|character varying(500)|N|
documentation|url|character varying(2048)|N|
documentation|content|text||
documentation|summary|text||
documentation|source|character varying(100)||'Microsoft Learn'::character varying
documentation|content_type|character varying(50)||'article'::character varying
documentation|category|character varying(100)||'General'::character varying
documentation|tags|jsonb||'[]'::jsonb
documentation|extracted_commands|jsonb||'[]'::jsonb
documentation|extracted_functions|jsonb||'[]'::jsonb
documentation|extracted_modules|jsonb||'[]'::jsonb
documentation|metadata|jsonb||'{}'::jsonb
documentation|crawled_at|timestamp with time zone||now()
documentation|last_updated|timestamp with time zone||
documentation|created_at|timestamp with time zone||now()
documentation|updated_at|timestamp with time zone||now()
EOF
)

q "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
		coalesce(pg_get_expr(d.adbin, d.adrelid), '')
	FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
	WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
	  AND a.attnum > 0 AND NOT a.attisdropped" >"$tmp/columns"

for t in $spec_tables; do
	bad=
	while IFS='|' read -r tab col typ nn def; do
		[ "$tab" = "$t" ] || continue
		got=$(awk -F'|' -v t="$tab" -v c="$col" '$1 == t && $2 == c' "$tmp/columns")
		if [ -z "$got" ]; then bad="$bad
$col: missing"; continue; fi
		IFS='|' read -r _ _ gtyp gnn gdef <<<"$got"
		[ "$gtyp" = "$typ" ] || bad="$bad
$col: type $gtyp, want $typ"
		[ "$nn" != N ] || [ "$gnn" = t ] || bad="$bad
$col: nullable, the spec says NOT NULL"
		[ "$def" = serial ] && def="nextval('${tab}_${col}_seq'::regclass)"
		[ "$gdef" = "$def" ] || bad="$bad
$col: default '$gdef', want '$def'"
	done <<<"$spec_columns"
	ok "$([ -z "$bad" ]; echo $?)" "every column of $t has the spec's type, NOT NULL and default" "${bad#?}"
done

is "every timestamp column carries a time zone" "" \
	"SELECT string_agg(table_name || '.' || column_name, ' ') FROM information_schema.columns
	  WHERE table_schema = 'public' AND data_type = 'timestamp without time zone'"

# --- indexes -----------------------------------------------------------------
# name|table|definition after "USING"
spec_indexes=$(cat <<'EOF'
idx_scripts_category|scripts|btree (category_id)
idx_scripts_user|scripts|btree (user_id)
idx_scripts_file_hash|scripts|btree (file_hash)
idx_script_versions_script|script_versions|btree (script_id)
idx_script_analysis_script|script_analysis|btree (script_id)
idx_execution_logs_script|execution_logs|btree (script_id)
idx_execution_logs_user|execution_logs|btree (user_id)
idx_users_email|users|btree (email)
idx_users_username|users|btree (username)
idx_users_role|users|btree (role)
idx_users_email_password|users|btree (email, password_hash)
idx_users_locked_until|users|btree (locked_until)
idx_users_login_attempts|users|btree (login_attempts)
idx_users_last_login|users|btree (last_login_at)
idx_users_created_at|users|btree (created_at)
chat_history_user_id_idx|chat_history|btree (user_id)
chat_history_created_at_idx|chat_history|btree (created_at)
EOF
)
q "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'" >"$tmp/indexes"
# has_index NAME TABLE DEF: an index (of that name, unless NAME is empty) on
# TABLE whose definition ends in " USING DEF"
has_index() {
	awk -F'|' -v i="$1" -v t="$2" -v d=" USING $3" \
		'(i == "" || $1 == i) && $2 == t && substr($3, length($3) - length(d) + 1) == d { f = 1 }
		 END { exit !f }' "$tmp/indexes"
}
while IFS='|' read -r idx tab def; do
	ok "$(has_index "$idx" "$tab" "$def"; echo $?)" "index $idx on $tab $def"
done <<<"$spec_indexes"
# dedup (0021, issue 12 item 5): a content is unique per owner and among public scripts
is "idx_scripts_owner_file_hash is unique on (file_hash, user_id), nulls not distinct" 1 \
	"SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_scripts_owner_file_hash'
	  AND indexdef LIKE 'CREATE UNIQUE INDEX%USING btree (file_hash, user_id) NULLS NOT DISTINCT WHERE (file_hash IS NOT NULL)'"
is "idx_scripts_public_file_hash is unique on file_hash where public" 1 \
	"SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_scripts_public_file_hash'
	  AND indexdef LIKE 'CREATE UNIQUE INDEX%USING btree (file_hash) WHERE is_public'"
if [ "$have_vector" = 1 ]; then
	is "script_embeddings.embedding is pgvector's vector of any dimension (an HNSW index per model)" vector \
		"SELECT format_type(atttypid, atttypmod) FROM pg_attribute
		  WHERE attrelid = 'script_embeddings'::regclass AND attname = 'embedding'"
	is "chat_history embedding has an HNSW cosine index" 1 "SELECT count(*) FROM pg_indexes
		WHERE indexname = 'chat_history_embedding_idx' AND indexdef LIKE '%USING hnsw (embedding vector_cosine_ops)'"
	is "psscript_vector_support() says vector" vector "SELECT psscript_vector_support()"
else
	is "psscript_vector_support() says pgvector is absent (0029)" absent "SELECT psscript_vector_support()"
	is "psscript_embedding_index makes no index without pgvector" none \
		"SELECT psscript_embedding_index('m', 256)"
	skip "script_embeddings.embedding is pgvector's vector of any dimension" "pgvector not installed"
	is "without pgvector no vector index is made" 0 \
		"SELECT count(*) FROM pg_indexes WHERE indexname IN ('script_embeddings_idx', 'chat_history_embedding_idx')"
fi
have_trgm=$(q "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'")
if [ "$have_trgm" = 1 ]; then tagidx="gin (name gin_trgm_ops)"; else tagidx="btree (name text_pattern_ops)"; fi
for def in "scripts|gin (search_vector)" "documentation|gin (search_vector)" \
	"chat_history|gin (search_vector)" "tags|$tagidx" \
	"jobs|btree (priority DESC, run_at, id) WHERE (status = 'queued'::text)" \
	"uploads|btree (batch_id)" "user_sessions|btree (token_hash)" "script_tags|btree (tag_id)"; do
	tab=${def%%|*} def=${def#*|}
	ok "$(has_index "" "$tab" "$def"; echo $?)" "$tab has an index USING $def"
done
# Every foreign key column leads some index (cascades and joins never scan).
is "every foreign key is indexed" "" "SELECT string_agg(c.conrelid::regclass || '.' || a.attname, ' ')
	FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
	WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
	  AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])"

# --- foreign keys and their ON DELETE (the spec's Cascade Behaviors) -------------
# child.column|parent|action (c = CASCADE, n = SET NULL)
q "SELECT c.conrelid::regclass || '.' || a.attname, c.confrelid::regclass, c.confdeltype
	FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
	WHERE c.contype = 'f' AND cardinality(c.conkey) = 1" >"$tmp/fkeys"
for fk in "scripts.user_id|users|c" "chat_history.user_id|users|c" "execution_logs.user_id|users|n" \
	"script_analysis.script_id|scripts|c" "script_versions.script_id|scripts|c" \
	"script_embeddings.script_id|scripts|c" "script_tags.script_id|scripts|c" \
	"execution_logs.script_id|scripts|c" "scripts.category_id|categories|n" "script_tags.tag_id|tags|c" \
	"script_versions.user_id|users|n" "user_sessions.user_id|users|c" "uploads.user_id|users|c" \
	"uploads.script_id|scripts|n" "uploads.existing_script_id|scripts|n" \
	"agent_conversations.user_id|users|c" "agent_messages.conversation_id|agent_conversations|c" \
	"agent_tool_calls.message_id|agent_messages|c"; do
	IFS='|' read -r cc parent act <<<"$fk"
	ok "$(grep -qxF "$fk" "$tmp/fkeys"; echo $?)" \
		"foreign key $cc -> $parent ON DELETE $([ "$act" = c ] && echo CASCADE || echo 'SET NULL')"
done

# --- seeds ---------------------------------------------------------------------
seeded='1|System Administration
2|Security & Compliance
3|Automation & DevOps
4|Cloud Management
5|Network Management
6|Data Management
7|Active Directory
8|Monitoring & Diagnostics
9|Backup & Recovery
10|Utilities & Helpers'
is "the ten default categories of API.md are seeded with ids 1-10" "$seeded" \
	"SELECT id, name FROM categories ORDER BY id"
is "every seeded category has a description" 0 "SELECT count(*) FROM categories WHERE coalesce(description, '') = ''"
is "the next category gets id 11" 11 "INSERT INTO categories (name) VALUES ('Scratch') RETURNING id"
is "no user is seeded" 0 "SELECT count(*) FROM users"

# --- fixtures ------------------------------------------------------------------
vec="array_fill(0.5::real, ARRAY[1536])"
h1=$(printf 'a%.0s' $(seq 64)) h2=$(printf 'b%.0s' $(seq 64))
runs "fixtures insert" "
INSERT INTO users (username, email, password_hash, updated_at) VALUES
	('alice', 'alice@example.org', '\$2b\$12\$x', '2000-01-01'),
	('bob', 'bob@example.org', '\$2b\$12\$y', '2000-01-01'),
	('carol', 'carol@example.org', '\$2b\$12\$z', '2000-01-01');
INSERT INTO categories (name, updated_at) VALUES ('Test Category', '2000-01-01');
INSERT INTO tags (name) VALUES ('backup'), ('deploy');
INSERT INTO scripts (title, description, content, user_id, category_id, is_public, file_hash, updated_at)
	SELECT 'Backup files', 'Copies the backups of a server', 'Get-ChildItem -Path \$env:TEMP | Remove-Item',
	       (SELECT id FROM users WHERE username = 'alice'), (SELECT id FROM categories WHERE name = 'Test Category'),
	       true, '$h1', '2000-01-01';
INSERT INTO scripts (title, content, user_id, file_hash)
	SELECT 'Deploy site', 'Write-Output deploy', id, '$h2' FROM users WHERE username = 'bob';
INSERT INTO script_tags (script_id, tag_id)
	SELECT s.id, t.id FROM scripts s, tags t WHERE s.title = 'Backup files'
	UNION ALL SELECT s.id, t.id FROM scripts s, tags t WHERE s.title = 'Deploy site' AND t.name = 'backup';
INSERT INTO script_versions (script_id, content, version, user_id)
	SELECT s.id, s.content, 1, s.user_id FROM scripts s
	UNION ALL SELECT s.id, 'v2', 2, u.id FROM scripts s, users u WHERE s.title = 'Backup files' AND u.username = 'carol';
INSERT INTO script_analysis (script_id, security_score, quality_score, risk_score, updated_at)
	SELECT id, 7.5, 8, 2.5, '2000-01-01' FROM scripts WHERE title = 'Backup files';
INSERT INTO script_embeddings (script_id, embedding, updated_at)
	SELECT id, $vec, '2000-01-01' FROM scripts WHERE title = 'Backup files';
INSERT INTO execution_logs (script_id, user_id, status)
	SELECT s.id, u.id, 'success' FROM scripts s, users u WHERE u.username IN ('alice', 'bob');
INSERT INTO chat_history (user_id, messages, response, updated_at)
	SELECT id, '[{\"role\": \"user\", \"content\": \"How do I list running services?\"}]', 'Use Get-Service.', '2000-01-01'
	FROM users WHERE username IN ('alice', 'bob');
INSERT INTO documentation (title, url, summary, content, updated_at) VALUES
	('Get-Process', 'https://learn.microsoft.com/powershell/get-process', 'Gets the processes running on a computer.',
	 'The Get-Process cmdlet gets the processes on a local computer.', '2000-01-01');
INSERT INTO user_sessions (user_id, token_hash, kind, expires_at)
	SELECT id, repeat(k, 64), 'refresh', now() + interval '7 days'
	FROM users, (VALUES ('c'), ('d')) v(k) WHERE username = 'bob';
INSERT INTO uploads (batch_id, user_id, filename, content, size, script_id, updated_at)
	SELECT gen_random_uuid(), u.id, 'a.ps1', 'abc', 3, s.id, '2000-01-01'
	FROM users u, scripts s WHERE s.title = 'Backup files' AND u.username IN ('alice', 'bob');
INSERT INTO agent_conversations (user_id, updated_at) SELECT id, '2000-01-01' FROM users WHERE username = 'bob';
INSERT INTO agent_messages (conversation_id, role, content) SELECT id, 'assistant', '' FROM agent_conversations;
INSERT INTO agent_tool_calls (message_id, call_id, tool_name) SELECT id, 'call_1', 'search_scripts' FROM agent_messages;
INSERT INTO jobs (type, updated_at) VALUES ('fixture.job', '2000-01-01');"

# --- unique constraints ------------------------------------------------------------
rejects "a second user with the same username is rejected" 'idx_users_username' \
	"INSERT INTO users (username, email, password_hash) VALUES ('alice', 'other@example.org', 'h')"
rejects "a second user with the same email is rejected" 'idx_users_email' \
	"INSERT INTO users (username, email, password_hash) VALUES ('alice2', 'alice@example.org', 'h')"
rejects "an email differing only in case is rejected" 'users_email_lower_key' \
	"INSERT INTO users (username, email, password_hash) VALUES ('alice3', 'Alice@Example.org', 'h')"
rejects "a username differing only in case is rejected" 'users_username_lower_key' \
	"INSERT INTO users (username, email, password_hash) VALUES ('ALICE', 'a4@example.org', 'h')"
rejects "a category name differing only in case is rejected" 'categories_name_lower_key' \
	"INSERT INTO categories (name) VALUES ('active directory')"
rejects "a duplicate tag is rejected" 'tags_name_key' "INSERT INTO tags (name) VALUES ('backup')"
rejects "a second script of one owner with the same file_hash is rejected" 'idx_scripts_owner_file_hash' \
	"INSERT INTO scripts (title, content, user_id, file_hash) SELECT 'Copy', 'x', id, '$h1' FROM users WHERE username = 'alice'"
rejects "a second public script with the same file_hash is rejected" 'idx_scripts_public_file_hash' \
	"INSERT INTO scripts (title, content, user_id, is_public, file_hash) SELECT 'Copy', 'x', id, true, '$h1' FROM users WHERE username = 'carol'"
runs "another owner's private copy is accepted" \
	"INSERT INTO scripts (title, content, user_id, file_hash) SELECT 'Carol copy', 'x', id, '$h1' FROM users WHERE username = 'carol';
	 DELETE FROM scripts WHERE title = 'Carol copy'"
# Two uploads of the same content at once: the second INSERT waits for the
# first transaction, then fails on the unique index.  The first commits only
# once the second is seen waiting on its lock, so the race really happens.
h3=$(printf 'c%.0s' $(seq 64))
"$psql" -X -q -v ON_ERROR_STOP=1 >"$tmp/race-a" 2>&1 <<EOF &
BEGIN;
INSERT INTO scripts (title, content, file_hash) VALUES ('Race A', 'x', '$h3');
DO \$\$
BEGIN
	FOR i IN 1..300 LOOP
		PERFORM pg_stat_clear_snapshot();
		IF EXISTS (SELECT 1 FROM pg_stat_activity
			    WHERE wait_event_type = 'Lock' AND query LIKE '%Race B%') THEN
			RETURN;
		END IF;
		PERFORM pg_sleep(0.1);
	END LOOP;
	RAISE EXCEPTION 'the second insert never waited';
END;
\$\$;
COMMIT;
EOF
race_a=$!
for i in $(seq 100); do
	[ "$(q "SELECT count(*) FROM pg_stat_activity
		WHERE query LIKE '%pg_stat_clear_snapshot%' AND pid <> pg_backend_pid()")" = 1 ] && break
	sleep 0.1
done
race_b=$(q "INSERT INTO scripts (title, content, file_hash) VALUES ('Race B', 'x', '$h3')"); race_b_rc=$?
wait $race_a; race_a_rc=$?
ok "$([ $race_a_rc = 0 ] && [ $race_b_rc != 0 ] && printf '%s' "$race_b" | grep -q idx_scripts_owner_file_hash
	echo $?)" "concurrent inserts of one file_hash: the second waits, then is rejected" \
	"first: $(cat "$tmp/race-a") / second: $race_b"
is "concurrent inserts of one file_hash leave one script" "Race A" \
	"SELECT title FROM scripts WHERE file_hash = '$h3'"
runs "scripts without a file_hash may coexist" \
	"INSERT INTO scripts (title, content) VALUES ('N1', 'x'), ('N2', 'x'); DELETE FROM scripts WHERE title IN ('N1', 'N2')"
rejects "a duplicate (script_id, version) is rejected" 'script_versions_script_id_version_key' \
	"INSERT INTO script_versions (script_id, content, version) SELECT id, 'x', 1 FROM scripts WHERE title = 'Backup files'"
rejects "a second analysis of one script is rejected" 'idx_script_analysis_script' \
	"INSERT INTO script_analysis (script_id, security_score, quality_score, risk_score)
	 SELECT id, 1, 1, 1 FROM scripts WHERE title = 'Backup files'"
rejects "a second embedding of one script by one model is rejected" 'script_embeddings_script_model_key' \
	"INSERT INTO script_embeddings (script_id, embedding) SELECT id, $vec FROM scripts WHERE title = 'Backup files'"
rejects "a duplicate script tag is rejected" 'script_tags_pkey' \
	"INSERT INTO script_tags (script_id, tag_id) SELECT script_id, tag_id FROM script_tags LIMIT 1"
rejects "a duplicate documentation url is rejected" 'documentation_url_key' \
	"INSERT INTO documentation (title, url) VALUES ('x', 'https://learn.microsoft.com/powershell/get-process')"
rejects "a duplicate session token hash is rejected" 'user_sessions_token_hash_key' \
	"INSERT INTO user_sessions (user_id, token_hash, kind, expires_at)
	 SELECT user_id, token_hash, 'access', now() + interval '1 day' FROM user_sessions LIMIT 1"
runs "a job dedup_key may be reused once the job is done" \
	"INSERT INTO jobs (type, dedup_key, status) VALUES ('t', 'k1', 'done'), ('t', 'k1', 'queued')"
rejects "a second queued job with the same dedup_key is rejected" 'idx_jobs_dedup_key' \
	"INSERT INTO jobs (type, dedup_key) VALUES ('t', 'k1')"

# --- CHECK constraints --------------------------------------------------------------
rejects "a role other than user or admin is rejected" 'users_role_check' \
	"INSERT INTO users (username, email, password_hash, role) VALUES ('dave', 'dave@example.org', 'h', 'root')"
is "a new user's role defaults to user" user \
	"INSERT INTO users (username, email, password_hash) VALUES ('erin', 'erin@example.org', 'h') RETURNING role"
rejects "a negative login_attempts is rejected" 'users_login_attempts_check' \
	"UPDATE users SET login_attempts = -1 WHERE username = 'erin'"
rejects "an execution status outside the spec's four is rejected" 'execution_logs_status_check' \
	"INSERT INTO execution_logs (script_id, status) SELECT id, 'bogus' FROM scripts LIMIT 1"
for s in success failure timeout cancelled; do
	runs "execution status $s is accepted" \
		"INSERT INTO execution_logs (script_id, status) SELECT id, '$s' FROM scripts WHERE title = 'Deploy site'"
done
for col in security_score quality_score risk_score; do
	rejects "$col above 10 is rejected" "script_analysis_${col}_check" \
		"UPDATE script_analysis SET $col = 10.5"
	rejects "$col below 0 is rejected" "script_analysis_${col}_check" \
		"UPDATE script_analysis SET $col = -0.1"
	rejects "$col may not be NULL" 'null value' "UPDATE script_analysis SET $col = NULL"
done
runs "scores of exactly 0 and 10 are accepted" \
	"UPDATE script_analysis SET security_score = 10, quality_score = 0, risk_score = 10"
rejects "an analysis JSON column of the wrong shape is rejected" 'script_analysis_json_shape_check' \
	"UPDATE script_analysis SET suggestions = '{}'"
rejects "a tag with capitals is rejected" 'tags_name_check' "INSERT INTO tags (name) VALUES ('Backup2')"
rejects "a tag with surrounding blanks is rejected" 'tags_name_check' "INSERT INTO tags (name) VALUES (' x ')"
rejects "an empty tag is rejected" 'tags_name_check' "INSERT INTO tags (name) VALUES ('')"
rejects "a file_hash that is not lower-case hex SHA-256 is rejected" 'scripts_file_hash_check' \
	"INSERT INTO scripts (title, content, file_hash) VALUES ('md5', 'x', 'd41d8cd98f00b204e9800998ecf8427e')"
rejects "a script version below 1 is rejected" 'scripts_version_check' "UPDATE scripts SET version = 0"
rejects "an embedding of the wrong length is rejected" 'script_embeddings_embedding_check|expected 1536 dimensions' \
	"UPDATE script_embeddings SET embedding = array_fill(0.5::real, ARRAY[3])"
if [ "$have_vector" != 1 ]; then
	rejects "an embedding with a NaN is rejected" 'script_embeddings_embedding_check' \
		"UPDATE script_embeddings SET embedding[7] = 'NaN'"
	rejects "a chat embedding of the wrong length is rejected" 'chat_history_embedding_check' \
		"UPDATE chat_history SET embedding = ARRAY[1, 2]::real[]"
fi
runs "a chat embedding of 1536 numbers is accepted" "UPDATE chat_history SET embedding = $vec; UPDATE chat_history SET embedding = NULL"
rejects "chat messages that are not an array are rejected" 'chat_history_messages_check' \
	"UPDATE chat_history SET messages = '{}'"
rejects "a session kind other than access or refresh is rejected" 'user_sessions_kind_check' \
	"UPDATE user_sessions SET kind = 'forever'"
rejects "a session token hash that is not hex SHA-256 is rejected" 'user_sessions_token_hash_check' \
	"UPDATE user_sessions SET token_hash = 'secret'"
rejects "a job status outside queued/running/done/failed is rejected" 'jobs_status_check' \
	"INSERT INTO jobs (type, status) VALUES ('t', 'lost')"
rejects "a job type with a space is rejected" 'jobs_type_check' "INSERT INTO jobs (type) VALUES ('a b')"
rejects "an upload status outside the API's five is rejected" 'uploads_status_check' \
	"UPDATE uploads SET status = 'done'"
for s in queued processing completed duplicate failed; do
	runs "upload status $s is accepted" "UPDATE uploads SET status = '$s'"
done
rejects "an upload whose size disagrees with its content is rejected" 'uploads_size_check' \
	"UPDATE uploads SET size = 4"
rejects "an agent message role outside system/user/assistant/tool is rejected" 'agent_messages_role_check' \
	"UPDATE agent_messages SET role = 'robot'"

# --- updated_at triggers -------------------------------------------------------------
is "every table with updated_at has the updated_at trigger" "" \
	"SELECT string_agg(c.table_name, ' ') FROM information_schema.columns c
	  WHERE c.table_schema = 'public' AND c.column_name = 'updated_at'
	    AND NOT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
			     WHERE t.tgrelid = (quote_ident(c.table_name))::regclass
			       AND p.proname = 'psscript_set_updated_at')"
for u in "users|email = 'alice2@example.org'|username = 'alice'" \
	"scripts|title = 'Backup all files'|title = 'Backup files'" \
	"script_analysis|purpose = 'backs up'|true" \
	"script_embeddings|model_version = 'text-embedding-3-small'|true" \
	"categories|description = 'tests'|name = 'Test Category'" \
	"chat_history|response = 'Get-Service'|true" \
	"documentation|summary = 'Lists processes.'|true" \
	"jobs|priority = 5|type = 'fixture.job'" \
	"uploads|error = 'none'|true" \
	"agent_conversations|title = 'x'|true"; do
	IFS='|' read -r tab set where <<<"$u"
	is "updated_at moves when a $tab row changes" t \
		"WITH u AS (UPDATE $tab SET $set WHERE $where RETURNING updated_at)
		 SELECT bool_and(updated_at > now() - interval '1 minute') AND count(*) > 0 FROM u"
done
is "updated_at keeps its value when a script is only executed" t \
	"WITH before AS (SELECT id, updated_at FROM scripts WHERE title = 'Deploy site')
	 UPDATE scripts s SET execution_count = execution_count + 1, last_executed_at = now(),
	        average_execution_time = 12.5 FROM before b WHERE s.id = b.id
	 RETURNING s.updated_at = b.updated_at AND s.execution_count = 1"
is "updated_at keeps its value when a user only logs in" 2000-01-01 \
	"UPDATE users SET last_login_at = now(), login_attempts = 0 WHERE username = 'bob' RETURNING updated_at::date"
is "updated_at keeps created_at's order on insert" t \
	"SELECT bool_and(updated_at >= created_at) FROM categories"

# --- full-text search ----------------------------------------------------------------------
fts() { echo "search_vector @@ (websearch_to_tsquery('english', '$1') || websearch_to_tsquery('simple', '$1'))"; }
is "keyword search finds a script by a stemmed title word" "Backup all files" \
	"SELECT title FROM scripts WHERE $(fts backups)"
is "keyword search finds a script by a cmdlet of its content" "Backup all files" \
	"SELECT title FROM scripts WHERE $(fts Get-ChildItem)"
is "the title ranks above the content" t \
	"SELECT ts_rank(search_vector, 'backup'::tsquery) > ts_rank(search_vector, 'remove-item'::tsquery)
	 FROM scripts WHERE title = 'Backup all files'"
is "the search vector follows a content change" "Deploy site" \
	"UPDATE scripts SET content = 'Publish-Module -Name Site' WHERE title = 'Deploy site';
	 SELECT title FROM scripts WHERE $(fts publish-module)"
runs "a 10 MB script is stored and indexed" \
	"INSERT INTO scripts (title, content) SELECT 'Huge', string_agg(md5(i::text) || '-' || md5((i * 7)::text), ' ')
	 FROM generate_series(1, 160000) i; DELETE FROM scripts WHERE title = 'Huge'"
is "documentation search finds a page by its summary" "Get-Process" \
	"SELECT title FROM documentation WHERE search_vector @@ websearch_to_tsquery('english', 'process list')"
is "chat history search finds a conversation by its messages" 1 \
	"SELECT count(*) FROM chat_history c JOIN users u ON u.id = c.user_id
	  WHERE u.username = 'bob' AND c.search_vector @@ websearch_to_tsquery('english', 'running service')"
if [ "$have_trgm" = 1 ]; then
	is "tag autocomplete finds a tag by prefix and by similarity" "backup|backup" \
		"SELECT (SELECT name FROM tags WHERE name LIKE 'bac%'), (SELECT name FROM tags WHERE name % 'bakup')"
else
	is "tag autocomplete finds a tag by prefix" backup "SELECT name FROM tags WHERE name LIKE 'bac%'"
fi

# --- pgvector detection ----------------------------------------------------------------------
if [ "$have_vector" = 1 ]; then want=vector; else want='real[]'; fi
is "psscript_upgrade_vectors() answers $want and is idempotent" "$want|$want" \
	"SELECT psscript_upgrade_vectors() || '|' || psscript_upgrade_vectors()"

# --- jobs NOTIFY ---------------------------------------------------------------------------------
notes=$("$psql" -X -q -v ON_ERROR_STOP=1 2>&1 <<'EOF'
LISTEN jobs;
INSERT INTO jobs (type) VALUES ('cache.warm');
UPDATE jobs SET status = 'running' WHERE type = 'cache.warm';
UPDATE jobs SET status = 'failed' WHERE type = 'cache.warm';
SELECT 'after running and failed';
UPDATE jobs SET status = 'queued' WHERE type = 'cache.warm';
INSERT INTO jobs (type, status) VALUES ('not.queued', 'done');
UPDATE jobs SET priority = 3 WHERE type = 'cache.warm';
SELECT 'end';
EOF
)
ok "$(printf '%s\n' "$notes" | grep -c 'notification "jobs" with payload "cache.warm"' | grep -qx 2; echo $?)" \
	"NOTIFY jobs fires on insert and on requeue, with the job type" "$notes"
ok "$(printf '%s\n' "$notes" | sed -n '/after running and failed/,$p' | grep -c 'notification' | grep -qx 1; echo $?)" \
	"NOTIFY jobs does not fire for running, failed, done or unrelated updates" "$notes"

# --- cascades --------------------------------------------------------------------------------
cnt() { echo "SELECT count(*) FROM $1"; }
runs "deleting a tag" "DELETE FROM tags WHERE name = 'deploy'"
is "a deleted tag leaves no script_tags row" 0 "$(cnt "script_tags st WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.id = st.tag_id)")"
is "a deleted tag leaves its scripts" 2 "$(cnt "scripts WHERE title IN ('Backup all files', 'Deploy site')")"
runs "deleting a category" "DELETE FROM categories WHERE name = 'Test Category'"
is "scripts of a deleted category keep a NULL category" "Backup all files|" \
	"SELECT title, category_id FROM scripts WHERE title = 'Backup all files'"
runs "deleting the author of a version" "DELETE FROM users WHERE username = 'carol'"
is "a version whose author is deleted stays, with a NULL author" "2|" \
	"SELECT v.version, v.user_id FROM script_versions v JOIN scripts s ON s.id = v.script_id
	  WHERE s.title = 'Backup all files' AND v.version = 2"
runs "deleting a user" "DELETE FROM users WHERE username = 'bob'"
is "a deleted user's scripts are gone" 0 "$(cnt "scripts WHERE title = 'Deploy site'")"
is "the children of a deleted user's scripts are gone" "0|0|0" \
	"SELECT (SELECT count(*) FROM script_versions WHERE content LIKE 'Write-Output%' OR content LIKE 'Publish%'),
		(SELECT count(*) FROM script_tags st WHERE NOT EXISTS (SELECT 1 FROM scripts s WHERE s.id = st.script_id)),
		(SELECT count(*) FROM execution_logs l WHERE NOT EXISTS (SELECT 1 FROM scripts s WHERE s.id = l.script_id))"
is "a deleted user's executions of other scripts stay with a NULL user" "1|1" \
	"SELECT count(*) FILTER (WHERE l.user_id IS NULL), count(*) FILTER (WHERE l.user_id IS NOT NULL)
	   FROM execution_logs l JOIN scripts s ON s.id = l.script_id WHERE s.title = 'Backup all files'"
is "a deleted user's chat history is gone, others' stays" 1 "$(cnt chat_history)"
is "a deleted user's sessions are gone" 0 "$(cnt user_sessions)"
is "a deleted user's uploads are gone, others' stay" 1 "$(cnt uploads)"
is "a deleted user's agent conversations, messages and tool calls are gone" "0|0|0" \
	"SELECT (SELECT count(*) FROM agent_conversations), (SELECT count(*) FROM agent_messages),
		(SELECT count(*) FROM agent_tool_calls)"
runs "deleting a script" "DELETE FROM scripts WHERE title = 'Backup all files'"
is "a deleted script's versions, analysis, embedding, tags and executions are gone" "0|0|0|0|0" \
	"SELECT (SELECT count(*) FROM script_versions), (SELECT count(*) FROM script_analysis),
		(SELECT count(*) FROM script_embeddings), (SELECT count(*) FROM script_tags),
		(SELECT count(*) FROM execution_logs)"
is "an upload of a deleted script stays with a NULL script_id" "1|" "SELECT count(*), max(script_id) FROM uploads"
runs "a new script for the remaining user" \
	"INSERT INTO scripts (title, content, user_id) SELECT 'Last', 'x', id FROM users WHERE username = 'alice'"
runs "deleting the last script owner" "DELETE FROM users WHERE username = 'alice'"
is "the last owner's scripts, chats and uploads are gone" "0|0|0" \
	"SELECT (SELECT count(*) FROM scripts WHERE title = 'Last'), (SELECT count(*) FROM chat_history),
		(SELECT count(*) FROM uploads)"

# --- down to zero and up again ----------------------------------------------------------------
migrate_down_all; rc=$?
ok $rc "down rolls back every migration" "$(tail -n 20 "$log")"
is "after down only schema_migrations is left" schema_migrations \
	"SELECT string_agg(tablename, ' ') FROM pg_tables WHERE schemaname = 'public'"
is "after down no function, sequence, view or type of ours is left" "||" \
	"SELECT (SELECT string_agg(proname, ' ') FROM pg_proc WHERE pronamespace = 'public'::regnamespace),
		(SELECT string_agg(relname, ' ') FROM pg_class WHERE relnamespace = 'public'::regnamespace
		   AND relkind NOT IN ('r', 'i') AND relname NOT LIKE 'schema_migrations%'),
		(SELECT string_agg(typname, ' ') FROM pg_type WHERE typnamespace = 'public'::regnamespace
		   AND typname NOT LIKE '%schema_migrations%')"
is "after down the extensions created by up are dropped" "" \
	"SELECT string_agg(extname, ' ') FROM pg_extension WHERE extname IN ('pg_trgm', 'vector')"
migrate_up; rc=$?
ok $rc "up again applies every migration" "$(tail -n 20 "$log")"
is "up again records every migration" "$nfiles" "SELECT count(*) FROM schema_migrations"
is "up again seeds the ten categories" 10 "SELECT count(*) FROM categories WHERE id BETWEEN 1 AND 10"

echo "1..$n"
[ "$failed" -eq 0 ]
