#!/usr/bin/env bash
# test-fcgi-close.sh: how a worker ends a FastCGI connection (src/http/fcgi.c, finish), spoken
# to the workers' socket directly, without nginx: a request without a body whose input was read
# to its end (a GET; a POST with Content-Length 0) is closed at once, so the worker is free for
# the next request while the client still holds the finished connection; a request with a
# body, and one refused with its body unread (413 on its Content-Length), keep libfcgi's
# lingering close, which waits for the client to close first (up to 2 s). TAP output.
set -u
source "$(dirname "$0")/../../scripts/lib.sh"
source "$(dirname "$0")/../tap.sh"
ST=${PSS_TEST_STATE:?run under tests/run-integration.sh}
N=$(cat "$ST/run/fcgi.forks")

# client.py SOCKET N KIND: opens N connections one after another, each asking one request of
# KIND and holding its connection open once answered; prints the status of each answer and the
# seconds it all took.
cat >"$out.py" <<'EOF'
import socket, struct, sys, time

def record(kind, content, rid=1):
    return struct.pack('>BBHHBB', 1, kind, rid, len(content), 0, 0) + content

def pair(k, v):
    k, v = k.encode(), v.encode()
    enc = lambda n: bytes([n]) if n < 128 else struct.pack('>I', n | 0x80000000)
    return enc(len(k)) + enc(len(v)) + k + v

def ask(path, kind):
    params = {'REQUEST_METHOD': 'GET', 'REQUEST_URI': path, 'SCRIPT_NAME': path.split('?')[0],
              'QUERY_STRING': '', 'SERVER_PROTOCOL': 'HTTP/1.1', 'REMOTE_ADDR': '127.0.0.1',
              'HTTPS': 'on', 'HTTP_HOST': 'localhost', 'SERVER_NAME': 'localhost'}
    body = b''
    if kind == 'post':
        body = b'{"content":"Get-Process"}'
    if kind in ('post', 'empty', 'unread'):
        params.update(REQUEST_METHOD='POST', CONTENT_TYPE='application/json',
                      CONTENT_LENGTH=str(len(body) if kind != 'unread' else 50 * 1024 * 1024))
    if kind == 'unread':
        body = b'{"content":"' + b'x' * 1000
    msg = record(1, struct.pack('>HB5x', 1, 0))
    msg += record(4, b''.join(pair(k, v) for k, v in params.items())) + record(4, b'')
    if body:
        msg += record(5, body)
    if kind != 'unread':
        msg += record(5, b'')
    return msg

sock, n, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
path = '/api/scripts/analyze' if kind != 'get' else '/api/health'
held, t0 = [], time.time()
for _ in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(sock)
    s.sendall(ask(path, kind))
    data = b''
    while True:		# the records up to FCGI_END_REQUEST (type 3)
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
        i, done = 0, False
        while i + 8 <= len(data):
            _, t, _, clen, plen, _ = struct.unpack('>BBHHBB', data[i:i + 8])
            if t == 3 and i + 8 + clen + plen <= len(data):
                done = True
            i += 8 + clen + plen
        if done:
            break
    held.append(s)
    print(data.split(b'Status: ', 1)[1][:3].decode() if b'Status: ' in data else '?')
print('%.2f' % (time.time() - t0))
EOF

# More connections than workers, each held open once answered: a worker that waited for the
# client to close first would leave the last ones to wait 2 s each.
/usr/bin/python3 "$out.py" "$ST/run/fcgi.sock" $((N * 2)) get >"$out.get" 2>&1
why=$(cat "$out.get")
holds "GET: $((N * 2)) connections held open by the client are each answered 200" \
	test "$(grep -c '^200$' "$out.get")" -eq $((N * 2))
holds "GET: the $((N * 2)) requests take under 1.5 s (no worker waits 2 s on a held connection)" \
	awk -v t="$(tail -1 "$out.get")" 'BEGIN { exit !(t < 1.5) }'

/usr/bin/python3 "$out.py" "$ST/run/fcgi.sock" $((N * 2)) empty >"$out.empty" 2>&1
why=$(cat "$out.empty")
holds "POST with Content-Length 0: each of $((N * 2)) held connections answered 400, under 1.5 s in all" \
	test "$(grep -c '^400$' "$out.empty")" -eq $((N * 2)) -a \
	    "$(awk -v t="$(tail -1 "$out.empty")" 'BEGIN { print (t < 1.5) }')" = 1

# A request with a body keeps the lingering close: N + 1 held connections take about 2 s.
/usr/bin/python3 "$out.py" "$ST/run/fcgi.sock" $((N + 1)) post >"$out.post" 2>&1
why=$(cat "$out.post")
holds "POST with a body: each answered 200" test "$(grep -c '^200$' "$out.post")" -eq $((N + 1))
holds "POST with a body: the worker keeps the lingering close (N + 1 held connections take 1.5 s or more)" \
	awk -v t="$(tail -1 "$out.post")" 'BEGIN { exit !(t >= 1.5) }'

# A body refused before it is read: the lingering close stays (the worker waits for the client
# to close first, up to 2 s), so N + 1 held connections take about 2 s.
/usr/bin/python3 "$out.py" "$ST/run/fcgi.sock" $((N + 1)) unread >"$out.unread" 2>&1
why=$(cat "$out.unread")
holds "a body refused unread: each answered 413" test "$(grep -c '^413$' "$out.unread")" -eq $((N + 1))
holds "a body refused unread: the worker keeps the lingering close (N + 1 held connections take 1.5 s or more)" \
	awk -v t="$(tail -1 "$out.unread")" 'BEGIN { exit !(t >= 1.5) }'
rm -f "$out.py" "$out.get" "$out.empty" "$out.post" "$out.unread"
done_testing
