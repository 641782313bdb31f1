#!/usr/bin/env python3
# search-quality.py: recall@5 and MRR of keyword, semantic and hybrid search on a labelled set
# (docs/search.md, "Quality"). Run by bench/search-quality.sh against a running stack (its env
# sourced: PSS_TEST_URL, PSS_BIN, PG*).
#
# The corpus: every example of the shipped 7.6 reference (data/powershell-docs/7.6) becomes a
# script: its text and code without its heading, titled "Script N" (nothing of the question
# in the title). The questions: bench/search-queries.tsv, "question<TAB>Module/Cmdlet.md#N"
# (the N-th example of that page is the script it must find): the examples' headings in
# plain words, and paraphrases written by hand that share few words with the script.
#
#   search-quality.py load     load the corpus as public scripts of user "benchquality"
#   search-quality.py eval     ask every question in every mode, print the table
import json
import os
import re
import ssl
import subprocess
import sys
import urllib.parse
import urllib.request

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
DOCS = os.path.join(TOP, 'data', 'powershell-docs', '7.6')
QUERIES = os.path.join(TOP, 'bench', 'search-queries.tsv')
HELDOUT = os.path.join(TOP, 'bench', 'search-heldout.tsv')


def examples():
    """[(key "Module/Cmdlet.md#N", heading, body)] in a fixed order."""
    out = []
    for mod in sorted(os.listdir(DOCS)):
        d = os.path.join(DOCS, mod)
        if not os.path.isdir(d):
            continue
        for fn in sorted(os.listdir(d)):
            if not fn.endswith('.md'):
                continue
            text = open(os.path.join(d, fn), encoding='utf-8').read()
            m = re.search(r'^## EXAMPLES\n(.*?)(?=^## )', text, re.S | re.M)
            if not m:
                continue
            for n, ex in enumerate(re.split(r'^### ', m.group(1), flags=re.M)[1:], 1):
                head, _, body = ex.partition('\n')
                if '```' in body:
                    out.append(('%s/%s#%d' % (mod, fn, n), head.strip(), body.strip()))
    return out


def load():
    ex = examples()
    rows = []
    for i, (key, _, body) in enumerate(ex, 1):
        esc = body.replace('\\', '\\\\').replace('\t', '\\t').replace('\r', '\\r').replace('\n', '\\n')
        rows.append('Script %d\t%s\t%s' % (i, key, esc))
    copy = '\n'.join(rows) + '\n'
    sql = """
CREATE TEMP TABLE src (title text, key text, content text);
COPY src FROM STDIN;
%s\\.
INSERT INTO scripts (title, description, content, user_id, is_public, file_hash)
SELECT title, NULL, content, (SELECT id FROM users WHERE username = 'benchquality'), true,
	encode(sha256(convert_to(content || key, 'UTF8')), 'hex') FROM src;
CREATE TABLE IF NOT EXISTS bench_quality_keys (script_id int, key text);
INSERT INTO bench_quality_keys SELECT s.id, src.key FROM src JOIN scripts s ON s.title = src.title
	AND s.user_id = (SELECT id FROM users WHERE username = 'benchquality');
""" % copy
    subprocess.run(['psql', '-qtAX', '-v', 'ON_ERROR_STOP=1'], input=sql.encode(), check=True)
    print('# corpus: %d scripts (the examples of the 7.6 reference with code)' % len(ex))


def ask(q, mode, limit=10):
    """[(id, score)] of the first limit results."""
    url = '%s/api/scripts/search?%s' % (os.environ['PSS_TEST_URL'], urllib.parse.urlencode(
        {'q': q, 'mode': mode, 'limit': limit}))
    ctx = ssl.create_default_context(cafile=os.environ.get('PSS_TEST_CA'))
    ctx.check_hostname = False
    with urllib.request.urlopen(url, context=ctx) as r:
        return [(s['id'], s.get('score') or 0.0) for s in json.load(r)['scripts']]


RRF_K = 60


def rrf(kw, sem, w):
    """Weighted reciprocal rank fusion: keyword weight 1, semantic weight w."""
    f = {}
    for i, (sid, _) in enumerate(kw):
        f[sid] = f.get(sid, 0) + 1.0 / (RRF_K + i + 1)
    for i, (sid, _) in enumerate(sem):
        f[sid] = f.get(sid, 0) + w / (RRF_K + i + 1)
    return [sid for sid, _ in sorted(f.items(), key=lambda x: (-x[1], x[0]))]


def norm_fusion(kw, sem, a):
    """Convex combination of min-max normalised scores (Bruch et al. 2023): a * semantic."""
    def mm(lst):
        if not lst:
            return {}
        lo, hi = min(x[1] for x in lst), max(x[1] for x in lst)
        return {sid: ((sc - lo) / (hi - lo) if hi > lo else 1.0) for sid, sc in lst}
    k, s_ = mm(kw), mm(sem)
    f = {sid: (1 - a) * k.get(sid, 0) + a * s_.get(sid, 0) for sid in set(k) | set(s_)}
    return [sid for sid, _ in sorted(f.items(), key=lambda x: (-x[1], x[0]))]


def metrics(rows):
    """recall@5 and MRR (of the first 10) of [(ranked ids, wanted id)]."""
    hit5 = rr = 0.0
    for ids, want in rows:
        ids = ids[:10]
        if want in ids:
            r = ids.index(want) + 1
            rr += 1.0 / r
            hit5 += r <= 5
    return hit5 / len(rows), rr / len(rows)


def load_questions(path, keys):
    qs = []
    for line in open(path, encoding='utf-8'):
        if line.strip() and not line.startswith('#'):
            q, k, kind = line.rstrip('\n').split('\t')
            qs.append((q, keys[k], kind))
    return qs


def evaluate():
    keys = {}
    out = subprocess.run(['psql', '-qtAX', '-F', '\t', '-c',
                          'SELECT key, script_id FROM bench_quality_keys'],
                         check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        k, i = line.split('\t')
        keys[k] = int(i)
    train = load_questions(QUERIES, keys)
    held = load_questions(HELDOUT, keys)
    print('# training set: %d questions (%d from headings, %d paraphrased by hand); held-out set: '
          '%d plain-language questions (bench/search-heldout.tsv)' % (
              len(train), sum(1 for q in train if q[2] == 'heading'),
              sum(1 for q in train if q[2] == 'hand'), len(held)))
    runs = {}
    for q, want, kind in train + held:
        runs[q] = {m: ask(q, m, 100 if m != 'hybrid' else 10)
                   for m in ('keyword', 'semantic', 'hybrid')}
    # the fusion's weight: chosen on the training set only, by MRR then recall@5
    grid = []
    for w in (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 8.0, 16.0):
        r5, mrr = metrics([(rrf(runs[q]['keyword'], runs[q]['semantic'], w), want)
                           for q, want, _ in train])
        grid.append((mrr, r5, 'rrf', w))
    for a in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        r5, mrr = metrics([(norm_fusion(runs[q]['keyword'], runs[q]['semantic'], a), want)
                           for q, want, _ in train])
        grid.append((mrr, r5, 'norm', a))
    print('# fusion on the training set (MRR, recall@5):')
    for mrr, r5, kind, w in grid:
        print('#   %-4s %-5s %.3f %.3f' % (kind, w, mrr, r5))
    # differences under a thousandth are noise: then the smaller weight
    best = max(grid, key=lambda g: (round(g[0], 3), round(g[1], 3), -g[3]))
    print('# best on the training set: %s %s' % (best[2], best[3]))
    fuse = (lambda kw, sem: rrf(kw, sem, best[3])) if best[2] == 'rrf' else \
        (lambda kw, sem: norm_fusion(kw, sem, best[3]))
    print('%-22s %-14s %9s %6s' % ('mode', 'questions', 'recall@5', 'MRR'))
    for name, sub in (('training', train), ('training heading', [q for q in train if q[2] == 'heading']),
                      ('training hand', [q for q in train if q[2] == 'hand']), ('held-out', held)):
        for mode in ('keyword', 'semantic', 'hybrid', 'hybrid equal rrf', 'hybrid best (py)'):
            rows = []
            for q, want, _ in sub:
                r = runs[q]
                ids = [x[0] for x in r[mode]] if mode in r else \
                    rrf(r['keyword'], r['semantic'], 1.0) if mode == 'hybrid equal rrf' else \
                    fuse(r['keyword'], r['semantic'])
                rows.append((ids, want))
            r5, mrr = metrics(rows)
            print('%-22s %-14s %9.2f %6.2f' % (mode, '%s (%d)' % (name, len(sub)), r5, mrr))


if __name__ == '__main__':
    {'load': load, 'eval': evaluate}[sys.argv[1]]()
