#!/usr/bin/env python3
# ai-standin.py: a stand-in for the remote AI services the ai layer talks to, as a real HTTP
# server on loopback: an OpenAI-compatible API (POST /v1/chat/completions, POST /v1/embeddings)
# and the original PSScript AI service (POST /analyze, POST /embedding), each able to fail in
# every way the client must survive. The embeddings are deterministic: each word of the input
# (lower case, letters and digits) adds +-1 to one of the dimensions its SHA-256 picks, and the
# sum is scaled to unit length, so texts that share words are near.
#
#   ai-standin.py PORTFILE [MODE]
#
# Listens on 127.0.0.1 on a free port and writes the port to PORTFILE once ready. MODE (also
# set at run time with GET /_mode?set=MODE) is one of:
#   ok        a well-formed answer (purpose and suggestions derived from the request)
#   status500 HTTP 500 with a JSON error
#   garbage   HTTP 200 whose body is not JSON
#   badshape  HTTP 200 JSON of the wrong shape (no choices / no purpose)
#   huge      HTTP 200, 50 MB of JSON-looking bytes with no Content-Length
#   hugelen   HTTP 200 announcing Content-Length: 52428800
#   drip      HTTP 200 headers, then one byte every 0.5 s for a minute
#   hang      accepts the request and answers nothing for a minute
#   redirect  302 to itself, forever
#   chat      a chat completion in Markdown (the chat's model path): cites [1] and a source
#             [9] that no prompt has, with HTML and script outside and inside a code block
#   chatempty a chat completion whose message content is only white space
#   chatstall (a streamed chat completion) the first line of the chat answer, then nothing
#             for a minute: the model stops mid-answer
# A chat request with "stream": true is answered in the chat modes as Server-Sent Events
# (text/event-stream): "data: {choices: [{delta: {content}}]}" every few bytes, 20 ms
# apart, then "data: [DONE]", as the OpenAI API streams.
#   wrongdim  (embeddings) HTTP 200 with a vector of half the asked dimension
# GET /_last answers the last request's path, headers and body as JSON; GET /_count the number
# of model requests served. The server stops on SIGTERM.
import hashlib
import json
import math
import os
import re
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {'mode': sys.argv[2] if len(sys.argv) > 2 else 'ok', 'last': None, 'count': 0}
LOCK = threading.Lock()
MODES = ('ok', 'status500', 'garbage', 'badshape', 'huge', 'hugelen', 'drip', 'hang', 'redirect',
         'chat', 'chatempty', 'chatstall', 'wrongdim')
EMBED_DIMS = 1536   # the AI service's, and the OpenAI API's unless "dimensions" asks otherwise


def embedding(text, dims):
    v = [0.0] * dims
    for w in re.findall(r'[a-z0-9]+', text.lower()):
        h = hashlib.sha256(w.encode()).digest()
        v[int.from_bytes(h[:4], 'little') % dims] += 1.0 if h[4] & 1 else -1.0
    n = math.sqrt(sum(x * x for x in v)) or 1.0
    return [round(x / n, 6) for x in v]


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):  # quiet: the test reads its own output
        pass

    def send_json(self, status, obj, close=False):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        if close:
            self.send_header('Connection', 'close')
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith('/_mode?set='):
            mode = self.path.split('=', 1)[1]
            if mode not in MODES:
                return self.send_json(400, {'error': 'unknown mode'})
            with LOCK:
                STATE['mode'] = mode
            return self.send_json(200, {'mode': mode})
        if self.path == '/_last':
            with LOCK:
                return self.send_json(200, STATE['last'] or {})
        if self.path == '/_count':
            with LOCK:
                return self.send_json(200, {'count': STATE['count']})
        return self.serve_model(None)

    def do_POST(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length > 0 else b''
        return self.serve_model(body)

    def serve_model(self, body):
        with LOCK:
            mode = STATE['mode']
            STATE['count'] += 1
            STATE['last'] = {'method': self.command, 'path': self.path,
                             'authorization': self.headers.get('Authorization'),
                             'contentType': self.headers.get('Content-Type'),
                             'body': body.decode('utf-8', 'replace') if body is not None else None}
        try:
            req = json.loads(body) if body else {}
        except ValueError:
            req = {}
        if mode in ('ok', 'wrongdim'):
            return self.send_json(200, self.good_answer(req, mode == 'wrongdim'))
        if mode in ('chat', 'chatempty', 'chatstall'):
            msgs = req.get('messages') or [{}]
            nsrc = (msgs[0].get('content') or '').count('\n[')
            text = ('Model answer over %d sources: use the cmdlet the sources name [1], not [9].\n'
                    '<script>alert(1)</script><img src=x onerror=alert(2)>\n\n'
                    '```powershell\nGet-Service | Where-Object Status -eq Running # <b>code</b>\n```\n'
                    % nsrc) if mode != 'chatempty' else '   \n '
            if req.get('stream') is True:
                return self.stream_chat(req, text, mode == 'chatstall')
            return self.send_json(200, {'id': 'chatcmpl-standin', 'object': 'chat.completion',
                                        'model': req.get('model', '?'),
                                        'choices': [{'index': 0, 'finish_reason': 'stop',
                                                     'message': {'role': 'assistant', 'content': text}}]})
        if mode == 'status500':
            return self.send_json(500, {'error': {'message': 'the model is on fire'}})
        if mode == 'garbage':
            data = b'<html>this is not JSON {'
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            return self.wfile.write(data)
        if mode == 'badshape':
            return self.send_json(200, {'unexpected': [1, 2, 3]})
        if mode in ('huge', 'hugelen'):
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            if mode == 'hugelen':
                self.send_header('Content-Length', str(50 * 1024 * 1024))
            self.send_header('Connection', 'close')
            self.end_headers()
            chunk = b'{"x":"' + b'a' * 65530 + b'"}'
            try:
                for _ in range(50 * 16):
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
            return None
        if mode == 'drip':
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', '120')
            self.end_headers()
            try:
                for _ in range(120):
                    self.wfile.write(b' ')
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                pass
            self.close_connection = True
            return None
        if mode == 'hang':
            time.sleep(60)
            self.close_connection = True
            return None
        if mode == 'redirect':
            self.send_response(302)
            self.send_header('Location', self.path)
            self.send_header('Content-Length', '0')
            self.end_headers()
            return None
        return self.send_json(500, {'error': 'unknown mode'})

    def stream_chat(self, req, text, stall):
        self.send_response(200)
        self.send_header('Content-Type', 'text/event-stream')
        self.send_header('Cache-Control', 'no-cache')
        self.send_header('Connection', 'close')
        self.end_headers()
        pieces = [text[i:i + 7] for i in range(0, len(text), 7)]
        if stall:
            pieces = pieces[:text.index('\n') // 7 + 1]
        try:
            for p in pieces:
                ev = {'id': 'chatcmpl-standin', 'object': 'chat.completion.chunk',
                      'model': req.get('model', '?'),
                      'choices': [{'index': 0, 'delta': {'content': p}, 'finish_reason': None}]}
                self.wfile.write(b'data: ' + json.dumps(ev).encode() + b'\n\n')
                self.wfile.flush()
                time.sleep(0.02)
            if stall:
                time.sleep(60)
            else:
                self.wfile.write(b'data: [DONE]\n\n')
                self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True
        return None

    def good_answer(self, req, wrongdim=False):
        path = self.path.rstrip('/')
        if path.endswith('/embeddings'):
            # OpenAI-compatible: {model, input, dimensions?} -> {data: [{embedding}], ...}
            dims = req.get('dimensions') or EMBED_DIMS
            text = req.get('input') or ''
            vec = embedding(text if isinstance(text, str) else ' '.join(text),
                            dims // 2 if wrongdim else dims)
            return {'object': 'list', 'model': req.get('model', '?'),
                    'data': [{'object': 'embedding', 'index': 0, 'embedding': vec}],
                    'usage': {'prompt_tokens': len(text), 'total_tokens': len(text)}}
        if path.endswith('/embedding'):
            # the original PSScript AI service: {content} -> {embedding}
            dims = EMBED_DIMS // 2 if wrongdim else EMBED_DIMS
            return {'embedding': embedding(req.get('content') or '', dims)}
        if path.endswith('/analyze'):
            # the original PSScript AI service: {content, script_name?, script_id?} ->
            # {purpose, suggestions, ...}
            content = req.get('content', '')
            return {'purpose': 'AI service: a script of %d lines.' % (content.count('\n') + 1),
                    'suggestions': ['AI service: add comment-based help.'],
                    'security_score': 9.9, 'risk_score': 0.1}
        # OpenAI-compatible chat completions: the reply is JSON text in the message content
        msgs = req.get('messages') or [{}]
        user = msgs[-1].get('content', '')
        model = req.get('model', '?')
        reply = {'purpose': 'LLM %s: explains a script (%d bytes of prompt).' % (model, len(user)),
                 'suggestions': ['LLM: validate the input path before use.',
                                 'LLM: log what the script changed.']}
        return {'id': 'chatcmpl-standin', 'object': 'chat.completion', 'model': model,
                'choices': [{'index': 0, 'finish_reason': 'stop',
                             'message': {'role': 'assistant', 'content': json.dumps(reply)}}]}


def stop(*_):
    raise SystemExit(0)


def main():
    srv = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    srv.daemon_threads = True
    with open(sys.argv[1] + '.tmp', 'w') as f:
        f.write(str(srv.server_address[1]))
    os.rename(sys.argv[1] + '.tmp', sys.argv[1])
    signal.signal(signal.SIGTERM, stop)
    try:
        srv.serve_forever()
    except SystemExit:
        pass


if __name__ == '__main__':
    main()
