#!/usr/bin/env python3
# check-layers.py: the include rules of the source layers (README.md, "The layer check").
#
#   tools/check-layers.py [--root DIR]	(DIR: the source tree, by default this file's ../)
#
# Reads every C file under DIR/src (*.c, *.h and the C *.inc) and fails (exit 1, one line per
# offence, file:line first) when a file
#   1. includes a header of a higher layer, or of a peer on its own rung (a layer includes only
#      the layers below it: DESIGN.md, "Source layers"), save the peer edges declared below;
#   2. includes a third-party header outside the one place that wraps it (libpq-fe.h in db,
#      hiredis.h in cache, fcgiapp.h in http, crypt.h in the password file, curl.h in ai),
#      or in a header even there (the wrapper's headers must not hand the library on);
#   3. is a handler that includes another handler's header (STYLE.md: handlers never include
#      each other; shared logic moves down into services);
#   4. spells a project include any other way than "layer/file.h" (a "../db/db.h" or a bare
#      "db.h" would slip past rules 1-3), or sits in a folder of src/ that is not a layer.
# The handler layer's shared headers (LAYER_SHARED) are declared with their reasons; any
# violation tolerated for a while goes in ALLOWED: reported, not failed, and an ALLOWED entry
# that matches nothing any more fails too, so the list only shrinks (it is empty now). Tests, benchmarks and fuzz drivers
# (tests/, bench/) are outside the layers: they may include what they test.
import argparse
import os
import re
import sys

# The order, bottom up: core < http, analyzer < db, render, cache < ai < services < handlers
# < bin. Layers on one rung are peers.
LAYERS = {
    'core': 0,
    'http': 1, 'analyzer': 1,
    'db': 2, 'render': 2, 'cache': 2,
    'ai': 3,
    'services': 4,
    'handlers': 5,
    'bin': 6,
}

# Peers do not include each other (DESIGN.md: a layer includes only the layers below it),
# except along these edges, each a design decision with its reason.
PEER_EDGES = {
    # The cache's invalidation reaches every worker through PostgreSQL LISTEN/NOTIFY
    # (DESIGN.md, cache: "invalidation that reaches every worker"): cache_open takes the
    # process's database connection, and CACHE_LIBS links DB_LIBS. In effect db < cache.
    ('cache', 'db'),
}

# Third-party headers with one wrapper: (pattern of the include path, the folder or file
# that may include it, the library). Only .c files of the wrapper may: its headers keep the
# library's types out of sight of the layers above.
WRAPPED = [
    (re.compile(r'(^|/)libpq[\w-]*\.h$'), 'src/db/', 'libpq'),
    (re.compile(r'(^|/)hiredis\.h$|^hiredis/'), 'src/cache/', 'hiredis'),
    (re.compile(r'^fcgi(app|_stdio|_config|os)\.h$'), 'src/http/', 'libfcgi'),
    (re.compile(r'^crypt\.h$'), 'src/services/password.c', 'libxcrypt'),
    (re.compile(r'^curl/'), 'src/ai/', 'libcurl'),
    (re.compile(r'^libxml/'), 'src/ai/', 'libxml2'),
]

# The route table names every handler, so it may include every handler's header.
ROUTE_TABLE = re.compile(r'^src/handlers/routes(-[\w-]+)?\.(c|inc)$')

# The handler layer's shared headers: every handler may include these, each for its reason.
# A page route runs the API handler of its resource and renders the object it answers
# (render/page.h, docs/pages.md), so what API and page handlers share is declared once here.
LAYER_SHARED = {
    # the library's request helpers (req_*), replies (reply_*), the view builders that the
    # API and page routes of a resource both answer with, and the library handlers' names
    'handlers/library.h',
    # how a reply renders on a page route (page_reply, page_error), used by every reply path
    'handlers/pages.h',
    # the upload handlers, which the upload page runs as they are
    'handlers/uploads.h',
    # the Server-Sent Events writer every streaming answer shares (the chat's, the original
    # frontend's analysis stream), and that stream's handler
    'handlers/sse.h',
}

# Violations tolerated for now: (file, included header). Reported on every run; an entry that
# matches nothing any more fails, so the list only shrinks. Empty: keep it so.
ALLOWED = set()

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
MAKE_ASSIGNMENT = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*\s*[+:?]?=')


def c_files(root):
    """The C files under root/src, as paths relative to root, sorted."""
    out = []
    for d, dirs, files in os.walk(os.path.join(root, 'src')):
        dirs.sort()
        for f in sorted(files):
            rel = os.path.relpath(os.path.join(d, f), root).replace(os.sep, '/')
            if f.endswith(('.c', '.h')):
                out.append(rel)
            elif f.endswith('.inc') and not f.startswith('Makefile'):
                with open(os.path.join(root, rel), encoding='utf-8', errors='replace') as fh:
                    if not any(MAKE_ASSIGNMENT.match(line) for line in fh):
                        out.append(rel)	# a C fragment (a make fragment assigns)
    return out


def stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def check_project(rel, layer, inc, handler_sources):
    """The offence of the project include inc in rel (of layer), or None."""
    if inc == 'config.h':	# the build's configuration header, below every layer
        return None
    parts = inc.split('/')
    if len(parts) != 2 or parts[0] not in LAYERS or parts[1] in ('', '.', '..'):
        return 'a project header is spelled "layer/file.h" (found "%s")' % inc
    target = parts[0]
    if LAYERS[target] > LAYERS[layer]:
        return 'includes the higher layer %s (%s < %s)' % (target, layer, target)
    if LAYERS[target] == LAYERS[layer] and target != layer and (layer, target) not in PEER_EDGES:
        return 'includes its peer %s (layers on one rung do not include each other)' % target
    if layer == 'handlers' and target == 'handlers':
        other = stem(parts[1])
        mine = stem(rel)
        if (other in handler_sources and other != mine and not mine.startswith(other + '-')
                and not ROUTE_TABLE.match(rel) and inc not in LAYER_SHARED):
            return 'includes the header of another handler (handlers/%s.c)' % other
    return None


def check_wrapped(rel, inc):
    for pattern, home, lib in WRAPPED:
        if pattern.search(inc):
            if not rel.startswith(home):
                return '%s (%s) is included only in %s' % (inc, lib, home)
            if not rel.endswith('.c'):
                return '%s (%s) is included only in .c files of %s' % (inc, lib, home)
    return None


def main():
    ap = argparse.ArgumentParser(description='Check the include rules of the source layers.')
    ap.add_argument('--root', default=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
    root = ap.parse_args().root
    if not os.path.isdir(os.path.join(root, 'src')):
        print('check-layers: no src folder in %s' % root, file=sys.stderr)
        return 2
    files = c_files(root)
    handler_sources = {stem(f) for f in files if f.startswith('src/handlers/') and f.endswith('.c')}
    offences, allowed_seen, nfiles, nincludes = [], set(), 0, 0
    for rel in files:
        layer = rel.split('/')[1]
        if layer not in LAYERS:
            offences.append('%s: src/%s is not a layer (add it to LAYERS in %s, in its place)'
                            % (rel, layer, os.path.basename(__file__)))
            continue
        nfiles += 1
        with open(os.path.join(root, rel), encoding='utf-8', errors='replace') as fh:
            for lineno, line in enumerate(fh, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                nincludes += 1
                inc = m.group(2).strip()
                project = m.group(1) == '"' or inc.split('/')[0] in LAYERS
                why = check_project(rel, layer, inc, handler_sources) if project else \
                    check_wrapped(rel, inc)
                if why is None:
                    continue
                if (rel, inc) in ALLOWED:
                    allowed_seen.add((rel, inc))
                    print('allowed (issue 11, to be fixed): %s:%d: %s' % (rel, lineno, why))
                else:
                    offences.append('%s:%d: %s' % (rel, lineno, why))
    for rel, inc in sorted(ALLOWED - allowed_seen):
        offences.append('%s: ALLOWED lists its include of %s, which no longer offends: remove '
                        'the entry from %s' % (rel, inc, os.path.basename(__file__)))
    for o in offences:
        print(o)
    print('check-layers: %d files, %d includes, %d offences, %d allowed' %
          (nfiles, nincludes, len(offences), len(allowed_seen)))
    return 1 if offences else 0


if __name__ == '__main__':
    sys.exit(main())
