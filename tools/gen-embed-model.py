#!/usr/bin/python3
# gen-embed-model.py: generate data/embed/builtin-lsi.bin, the built-in embedding model (a latent
# semantic model: TF-IDF and a truncated SVD) from the PowerShell-Docs reference the product ships.
#
# Usage: tools/gen-embed-model.py [DOCS_DIR] > data/embed/builtin-lsi.bin
# DOCS_DIR defaults to data/powershell-docs. Needs python3-numpy (Debian; PSS_DEV_PACKAGES in
# scripts/lib.sh). The output is committed, so neither the build nor the product needs python.
# Reproducible: documents and terms are sorted, the random projection uses a fixed seed, and the
# sign of each component is fixed (its largest loading positive); the same numpy gives the same
# bytes (the file's SHA-256 is its model version, docs/search.md).
#
# Training documents: per reference page, its synopsis and description (with the page's title),
# and each of its examples separately (heading, text and code), enriched the way a script is at
# embedding time (src/analyzer/embed.c): every command or alias the text names adds its cmdlet's
# name and synopsis. Identical documents (pages shared by 5.1 and 7.6) count once.
#
# The tokenizer MUST match embed_tokens in src/analyzer/embed.c: ASCII letters and digits,
# lower-cased, split on everything else and at lower-to-upper case changes inside a word kept
# whole too (only for words with an upper case inside: "ChildItem" gives childitem, child, item),
# tokens of 2..32 bytes, then the plural rule (ies -> y; a final s dropped after 3+ bytes unless ss).
#
# File format (little-endian): "PSSEMB01", u32 dim, u32 nterms, u32 strings_bytes, u32 reserved;
# nterms x (f32 idf, f32 scale); nterms x dim int8 (projection row = int8 * scale); the terms,
# NUL-terminated and sorted bytewise (strings_bytes in all).
import os
import re
import struct
import sys

import numpy as np

DIM = 256
SEED = 20261203
MIN_DF = 2
MAX_TERMS = 12000
OVERSAMPLE = 64
POWER_ITERS = 4

STOP = set("""
a about above after again all also an and any are as at be been before being below between both
but by can could did do does doing down during each few for from further had has have having here
how if in into is it its itself just more most no nor not now of off on once only or other our out
over own same should so some such than that the their them then there these they this those
through to too under until up very was we were what when where which while who whom why will with
would you your example examples output command commands cmdlet cmdlets parameter parameters value
values use used uses using powershell ps following shows show this that type
""".split())

WORD = re.compile(r'[A-Za-z0-9]+')
CASE = re.compile(r'[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+')


def stem(t):
    if len(t) > 4 and t.endswith('ies'):
        return t[:-3] + 'y'
    if len(t) > 3 and t.endswith('s') and not t.endswith('ss'):
        return t[:-1]
    return t


def tokens(text):
    out = []
    for m in WORD.finditer(text):
        w = m.group(0)
        parts = [w]
        if any(c.isupper() for c in w[1:]) and any(c.islower() for c in w):
            sub = CASE.findall(w)
            if len(sub) > 1:
                parts += sub
        for p in parts:
            p = p.lower()
            if 2 <= len(p) <= 32:
                out.append(stem(p))
    return out


def front_matter(text):
    m = re.match(r'---\n(.*?)\n---\n', text, re.S)
    return (m.group(1), text[m.end():]) if m else ('', text)


def sections(body):
    """(level-2 heading, text) pairs."""
    parts = re.split(r'^## (.+)$', body, flags=re.M)
    return [(parts[i].strip().upper(), parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def load(docs_dir):
    pages = []
    for ver in ('5.1', '7.6'):
        root = os.path.join(docs_dir, ver)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for fn in sorted(filenames):
                if fn.endswith('.md'):
                    with open(os.path.join(dirpath, fn), encoding='utf-8') as f:
                        pages.append(f.read())
    names = {}	# lower-case command or alias -> "Name synopsis"
    parsed = []
    for text in pages:
        front, body = front_matter(text)
        title = re.search(r'^title:\s*(.+)$', front, re.M)
        secs = sections(body)
        if not title or not any(h == 'SYNTAX' for h, _ in secs):
            parsed.append((None, secs))
            continue
        name = title.group(1).strip()
        syn = ' '.join(t.strip() for h, t in secs if h == 'SYNOPSIS')
        meaning = name + ' ' + ' '.join(syn.split())
        names[name.lower()] = meaning
        am = re.search(r'^aliases:\n((?:\s+-\s*.+\n)+)', front + '\n', re.M)
        if am:
            for line in am.group(1).splitlines():
                a = line.strip()[1:].strip().lower()
                if a:
                    names.setdefault(a, meaning)
        parsed.append((name, secs))
    return names, parsed


CMD = re.compile(r'[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*')


def enrich(text, names):
    seen = []
    for m in CMD.finditer(text):
        k = m.group(0).lower()
        if k in names and names[k] not in seen:
            seen.append(names[k])
            if len(seen) >= 32:
                break
    return text + '\n' + '\n'.join(seen)


def documents(names, parsed):
    docs = set()
    for name, secs in parsed:
        head = name or ''
        main = [head]
        for h, t in secs:
            if h in ('SYNOPSIS', 'DESCRIPTION', 'NOTES'):
                main.append(t)
            elif h == 'EXAMPLES':
                for ex in re.split(r'^### ', t, flags=re.M)[1:]:
                    docs.add(enrich(ex, names))
            elif name is None and h not in ('SYNTAX', 'PARAMETERS', 'INPUTS', 'OUTPUTS',
                                            'RELATED LINKS'):
                main.append(t)
        docs.add(enrich('\n'.join(main), names))
    return sorted(docs)


def main():
    docs_dir = sys.argv[1] if len(sys.argv) > 1 else 'data/powershell-docs'
    names, parsed = load(docs_dir)
    docs = documents(names, parsed)
    toks = [tokens(d) for d in docs]
    df = {}
    for ts in toks:
        for t in set(ts):
            if t not in STOP:
                df[t] = df.get(t, 0) + 1
    cand = [t for t, n in df.items() if n >= MIN_DF and not t.isdigit()]
    cand.sort(key=lambda t: (-df[t], t))
    terms = sorted(cand[:MAX_TERMS], key=lambda t: t.encode())
    index = {t: i for i, t in enumerate(terms)}
    n, m = len(docs), len(terms)
    idf = np.array([np.log((1.0 + n) / (1.0 + df[t])) + 1.0 for t in terms], dtype=np.float64)
    a = np.zeros((n, m), dtype=np.float64)
    for i, ts in enumerate(toks):
        counts = {}
        for t in ts:
            j = index.get(t)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        for j, c in counts.items():
            a[i, j] = (1.0 + np.log(c)) * idf[j]
        norm = np.linalg.norm(a[i])
        if norm > 0:
            a[i] /= norm
    # Randomized truncated SVD (Halko, Martinsson, Tropp 2011) with power iterations.
    rng = np.random.default_rng(SEED)
    omega = rng.standard_normal((m, DIM + OVERSAMPLE))
    y = a @ omega
    q, _ = np.linalg.qr(y)
    for _ in range(POWER_ITERS):
        z, _ = np.linalg.qr(a.T @ q)
        q, _ = np.linalg.qr(a @ z)
    b = q.T @ a
    _, s, vt = np.linalg.svd(b, full_matrices=False)
    v = vt[:DIM].T	# m x DIM: each term's loadings
    for k in range(DIM):
        if v[np.argmax(np.abs(v[:, k])), k] < 0:
            v[:, k] = -v[:, k]
    scale = np.abs(v).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    qv = np.clip(np.rint(v / scale[:, None]), -127, 127).astype(np.int8)
    strings = b''.join(t.encode() + b'\0' for t in terms)
    out = sys.stdout.buffer
    out.write(b'PSSEMB01' + struct.pack('<IIII', DIM, m, len(strings), 0))
    out.write(np.column_stack([idf.astype('<f4'), scale.astype('<f4')]).astype('<f4').tobytes())
    out.write(qv.tobytes())
    out.write(strings)
    print('gen-embed-model: %d documents, %d terms, %d dimensions, top singular values %s'
          % (n, m, DIM, ' '.join('%.2f' % x for x in s[:4])), file=sys.stderr)


if __name__ == '__main__':
    main()
