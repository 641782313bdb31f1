#!/usr/bin/env python3
# crawl-site.py: the documentation crawler's stand-in web site for the tests: a real HTTP
# server on 127.0.0.1 with one route per crawler rule (robots.txt, depth, host scope,
# conditional GET, redirect loop, slow drip, oversized, wrong type, binary, invalid UTF-8,
# redirects to refused addresses). It prints its port on the first line of stdout, then
# serves until killed. GET /__log answers every request so far as JSON lines
# {t, host, path, inm, ims, status} (t in seconds, monotonic).
#   crawl-site.py [--huge-robots]    --huge-robots: a robots.txt of 10 MB
import json
import socketserver
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HUGE = '--huge-robots' in sys.argv
LOG = []
LOCK = threading.Lock()


def page(title, body, links=()):
    a = ''.join('<li><a href="%s">%s</a></li>' % (h, h) for h in links)
    return ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>%s</title></head>'
            '<body><h1>%s</h1>%s<ul>%s</ul></body></html>' % (title, title, body, a)).encode()


PAGES = {
    '/docs/index.html': page('Crawl index', '<p>The start page of the stand-in site.</p>', [
        'page1.html', 'etag.html', '/private/secret.html', '/loop/a', '/slow', '/big',
        '/endless', '/image.png', '/binary.html', '/bad-utf8.md', '/missing.html',
        '/to-private', 'notes.md', 'plain.txt', 'mailto:someone@example.test',
        'http://localhost:%(port)d/docs/other-host.html']),
    '/docs/page1.html': page('Get-Process example',
        '<p>Gets the processes.</p><pre><code class="language-powershell">'
        'Get-Process | Where-Object { $_.CPU -gt 100 }\n</code></pre>', ['deep2.html']),
    '/docs/deep2.html': page('Depth two', '<p>Two hops from the start.</p>', ['deep3.html']),
    '/docs/deep3.html': page('Depth three', '<p>Three hops: beyond depth 2.</p>'),
    '/docs/etag-child.html': page('Etag child', '<p>Reached through the etag page.</p>'),
    '/docs/other-host.html': page('Other host', '<p>Only with sameHost false.</p>'),
    '/private/secret.html': page('Secret', '<p>robots.txt forbids this.</p>'),
    '/blocked/page.html': page('Blocked', '<p>robots.txt forbids this.</p>'),
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def record(self, status):
        with LOCK:
            LOG.append({'t': time.monotonic(), 'host': self.headers.get('Host', ''),
                        'path': self.path, 'inm': self.headers.get('If-None-Match'),
                        'ims': self.headers.get('If-Modified-Since'),
                        'ua': self.headers.get('User-Agent', ''), 'status': status})

    def send(self, status, ctype, body, extra=None):
        self.record(status)
        self.send_response(status)
        if ctype:
            self.send_header('Content-Type', ctype)
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        p = self.path
        port = self.server.server_address[1]
        if p == '/__log':
            with LOCK:
                body = '\n'.join(json.dumps(e) for e in LOG).encode()
            self.send_response(200)
            self.send_header('Content-Type', 'text/plain')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if p == '/robots.txt':
            head = ('User-agent: *\nDisallow: /\n\nUser-agent: PSScript-Crawler\n'
                    'Disallow: /private/\nDisallow: /blocked/\n')
            if HUGE:
                line = '# ' + 'x' * 97 + '\n'
                body = (head + line * (10 * 1024 * 1024 // len(line))).encode()
            else:
                body = head.encode()
            return self.send(200, 'text/plain', body)
        if p == '/docs/etag.html':
            extra = {'ETag': '"v1"', 'Last-Modified': 'Tue, 01 Dec 2026 10:00:00 GMT'}
            if self.headers.get('If-None-Match') == '"v1"':
                self.record(304)
                self.send_response(304)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                return
            return self.send(200, 'text/html; charset=utf-8',
                             page('Etag page', '<p>Has an ETag.</p>', ['etag-child.html']), extra)
        if p in ('/loop/a', '/loop/b'):
            return self.send(302, 'text/plain', b'', {'Location': '/loop/b' if p == '/loop/a' else '/loop/a'})
        if p == '/to-private':
            return self.send(302, 'text/plain', b'', {'Location': 'http://169.254.169.254/latest/meta-data/'})
        if p == '/slow':
            # a page that never ends: headers, then a byte every 200 ms for a minute
            self.record(200)
            self.send_response(200)
            self.send_header('Content-Type', 'text/html')
            self.end_headers()
            try:
                for _ in range(300):
                    self.wfile.write(b'<')
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
            self.close_connection = True
            return
        if p == '/big':
            # announces 20 MB: refused before the body
            self.record(200)
            self.send_response(200)
            self.send_header('Content-Type', 'text/html')
            self.send_header('Content-Length', str(20 * 1024 * 1024))
            self.end_headers()
            try:
                self.wfile.write(b'<html>' + b'x' * 65536)
            except OSError:
                pass
            self.close_connection = True
            return
        if p == '/endless':
            # no length, an endless fast body: cut at the size cap
            self.record(200)
            self.send_response(200)
            self.send_header('Content-Type', 'text/html')
            self.end_headers()
            chunk = b'<p>' + b'y' * 65536 + b'</p>'
            try:
                for _ in range(2000):
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
            return
        if p == '/image.png':
            return self.send(200, 'image/png', b'\x89PNG\r\n\x1a\n' + b'\0' * 100)
        if p == '/binary.html':
            return self.send(200, 'text/html', b'<html><body>\0\0\0\x01\x02</body></html>')
        if p == '/bad-utf8.md':
            return self.send(200, 'text/markdown; charset=utf-8', b'# Bad\n\nnot \xff\xfe UTF-8\n')
        if p == '/docs/notes.md':
            return self.send(200, 'text/markdown', b'# Notes in Markdown\n\nSee [page1](page1.html).\n\n'
                             b'```powershell\nGet-ChildItem\n```\n')
        if p == '/docs/plain.txt':
            return self.send(200, 'text/plain; charset=utf-8', b'Plain notes\n\nJust text.\n')
        if p in PAGES:
            return self.send(200, 'text/html; charset=utf-8', PAGES[p].replace(b'%(port)d', str(port).encode()))
        return self.send(404, 'text/html', b'<h1>Not found</h1>')


class Server(ThreadingHTTPServer):
    def server_bind(self):
        # HTTPServer's own asks the resolver for the host's name (getfqdn), which can hang
        # on a machine without DNS
        socketserver.TCPServer.server_bind(self)
        self.server_name = '127.0.0.1'
        self.server_port = self.server_address[1]

    def handle_error(self, request, client_address):
        pass    # a client that hangs up early (the crawler's size cap) is expected


def main():
    srv = Server(('127.0.0.1', 0), Handler)
    srv.daemon_threads = True
    try:
        print(srv.server_address[1], flush=True)
        sys.stdout.close()
    except OSError:
        pass
    srv.serve_forever()


if __name__ == '__main__':
    main()
