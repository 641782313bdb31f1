#!/usr/bin/env bash
# test-frontend.sh: the deployment that serves the original React frontend's build from the
# same origin as the API (FRONTEND_ROOT, nginx/psscript-frontend.conf.in, docs/compat.md): a
# second nginx, configured by scripts/lib.sh nginx_conf with FRONTEND_ROOT naming a stand-in
# dist/ (index.html and a hashed asset), in front of the running stack's FastCGI pool. Its
# files and client-side routes come from the build; /api and /health still reach the
# application; the security headers are on both. TAP output.
set -u
source "$(dirname "$0")/../../scripts/lib.sh"
source "$(dirname "$0")/../tap.sh"

ST=${PSS_TEST_STATE:?run under tests/run-integration.sh}
T=$(mktemp -d /tmp/pss-frontend.XXXXXX)
FE=$T/state
trap 'nginx_stop "$FE"; rm -rf "$T" "$out"' EXIT

# the stand-in build: what Vite writes (index.html loading a content-named module)
mkdir -p "$T/dist/assets" "$FE/run" "$FE/tls"
cat >"$T/dist/index.html" <<'EOH'
<!doctype html><html lang="en"><head><meta charset="UTF-8" /><title>PSScript (original frontend)</title>
<script type="module" crossorigin src="/assets/index-4f9c2a1b.js"></script></head>
<body><div id="root"></div></body></html>
EOH
echo 'console.log("the original frontend");' >"$T/dist/assets/index-4f9c2a1b.js"
# the running stack's FastCGI pool and certificate
ln -s "$ST/run/fcgi.sock" "$FE/run/fcgi.sock"
cp "$ST/tls/server.crt" "$ST/tls/server.key" "$FE/tls/"
https=$(free_port 25443); http=$(free_port $((https + 1)))

expect "nginx_conf refuses a FRONTEND_ROOT without index.html" 1 "has no index.html" \
	bash -c "source '$PSS_TOP/scripts/lib.sh'; FRONTEND_ROOT='$T' nginx_conf '$T/bad' $https $http"
FRONTEND_ROOT=$T/dist nginx_conf "$FE" "$https" "$http"
expect "nginx -t accepts the frontend configuration" 0 "successful" \
	nginx -t -p "$FE/nginx" -c "$FE/nginx/nginx.conf" -e "$FE/log/nginx-test.log"
# every limited /api location of the site stays; the pages' locations are gone
for loc in "location = /api/auth/login {" "location = /api/auth/register {" \
	"location ^~ /api/scripts/upload {" "location = /api/scripts/analyze {" "location = /api/chat {" \
	"location ~ ^/api/scripts/[0-9]+/apply-fixes$ {" "location ~ ^/api/scripts/[0-9]+/analysis-stream$ {"; do
	if grep -qF -- "$loc" "$FE/nginx/site.conf"; then ok "kept: $loc"; else notok "kept: $loc"; fi
done
if grep -qF "location = /login {" "$FE/nginx/site.conf"; then notok "the pages' /login is gone"
else ok "the pages' /login is gone"; fi
nginx_start "$FE"
wait_for 10 curl -sk -o /dev/null "https://127.0.0.1:$https/" || notok "the frontend nginx answers"

# get PATH: status, content type and CSP header of the answer in $code $ctype $csp, body in $out
get() {
	local h
	h=$(curl -sk -D - -o "$out" "https://127.0.0.1:$https$1" | tr -d '\r')
	code=$(sed -n '1s/^HTTP[^ ]* \([0-9]*\).*/\1/p' <<<"$h")
	ctype=$(sed -n 's/^[Cc]ontent-[Tt]ype: //p' <<<"$h" | head -1)
	csp=$(sed -n 's/^[Cc]ontent-[Ss]ecurity-[Pp]olicy: //p' <<<"$h" | head -1)
	cache=$(sed -n 's/^[Cc]ache-[Cc]ontrol: //p' <<<"$h" | head -1)
}
is() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1"; echo "#   got '$2', want '$3'"; fi; }
has() { if grep -qF -- "$2" "$out"; then ok "$1"; else notok "$1"; sed 's/^/#   /' "$out" | head -5; fi; }

for p in / /scripts/5 /login /chat /scripts/5/analysis; do
	get "$p"
	is "$p: 200" "$code" 200
	is "$p: text/html" "$ctype" "text/html"
	has "$p: the build's index.html" "PSScript (original frontend)"
	is "$p: the Content-Security-Policy" "${csp%%;*}" "default-src 'self'"
done
get /assets/index-4f9c2a1b.js
is "an asset: 200" "$code" 200
is "an asset: its type" "$ctype" "application/javascript"
has "an asset: its bytes" "the original frontend"
is "an asset: the Content-Security-Policy" "${csp%%;*}" "default-src 'self'"
is "an asset: cached as immutable" "$cache" "public, max-age=31536000, immutable"
get /api/health
is "/api/health reaches the application" "$code" 200
has "/api/health: its JSON" '"status"'
get /health
is "/health reaches the application" "$code" 200
has "/health: its JSON" '"status"'
is "/health: the Content-Security-Policy" "${csp%%;*}" "default-src 'self'"
get /api
is "/api reaches the application" "$code" 200
get /api/scripts/2147483000
is "/api/scripts/:id reaches the application" "$code" 404
has "/api/scripts/:id: the API's JSON error" '"error":"not_found"'
get "/api/scripts/2147483000/analysis-stream?require_human_review=false&token=sekrit.access.token&model=m"
is "the analysis stream reaches the application" "$code" 404
# its EventSource's token in the URL does not reach the access log
if grep -qF "analysis-stream?require_human_review=false&token=[redacted]&model=m HTTP" "$FE/log/nginx-access.log" &&
	! grep -qF "sekrit" "$FE/log/nginx-access.log"; then ok "the access log redacts a token in the query"
else notok "the access log redacts a token in the query"; grep -F analysis-stream "$FE/log/nginx-access.log" | sed 's/^/#   /'; fi
done_testing
