#!/usr/bin/env python3
# gen-catalog.py: generate src/analyzer/catalog_data.c from the PowerShell-Docs cmdlet reference.
#
# Usage: tools/gen-catalog.py [DOCS_DIR] > src/analyzer/catalog_data.c
# DOCS_DIR defaults to data/powershell-docs (the copy the product ships). It holds 5.1/<Module>/<Cmdlet>.md and
# 7.6/<Module>/<Cmdlet>.md. The output is committed, so neither the build nor CI needs python.
# Output is deterministic: cmdlets sorted by lower-case name, aliases by lower-case alias.
import os
import re
import sys

VERSIONS = (("5.1", 1), ("7.6", 2))

# Built-in aliases that the reference pages' front matter does not list (Get-Alias in a fresh
# Windows PowerShell 5.1 and PowerShell 7 session on Windows): alias -> (cmdlet, versions).
# Aliases of functions (md, mkdir, man, help) and of programs (ise) are not cmdlets and are
# left out.
EXTRA_ALIASES = {
    'gcm': ('Get-Command', 3), 'h': ('Get-History', 3), 'icm': ('Invoke-Command', 3),
    'nmo': ('New-Module', 3), 'rmdir': ('Remove-Item', 3), 'rmo': ('Remove-Module', 3),
    'sajb': ('Start-Job', 3),
}


def syntax_mandatory(text):
    """The mandatory parameters of each parameter set of a page's SYNTAX section: a parameter
    written outside brackets (-Name <T>) or with only its name bracketed ([-Name] <T>)."""
    sm = re.search(r'\n## SYNTAX\n(.*?)\n## ', text, re.S)
    if not sm:
        return []
    sets = []
    for block in re.findall(r'```[a-z]*\n(.*?)```', sm.group(1), re.S):
        line = ' '.join(block.split())
        depth, i, names = 0, 0, []
        while i < len(line):
            ch = line[i]
            if ch == '[':
                m = re.match(r'\[-(\w+)\] <', line[i:])
                if depth == 0 and m:
                    names.append(m.group(1))
                depth += 1
            elif ch == ']':
                depth -= 1
            elif ch == '-' and depth == 0 and (i == 0 or line[i - 1] == ' '):
                m = re.match(r'-(\w+)', line[i:])
                if m:
                    names.append(m.group(1))
            i += 1
        sets.append(names)
    return sets


def c_str(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch in '"\\':
            out.append('\\' + ch)
        elif ch == '\n':
            out.append('\\n')
        elif o < 0x20:
            out.append('\\%03o' % o)
        elif o >= 0x80:
            for b in ch.encode('utf-8'):
                out.append('\\%03o' % b)
        elif ch == '?' and out[-1:] == ['?']:
            out.append('\\?')	# no trigraphs
        else:
            out.append(ch)
    out.append('"')
    return ''.join(out)


def parse_page(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if '\n## SYNTAX' not in text:
        return None
    m = re.match(r'---\n(.*?)\n---\n', text, re.S)
    if not m:
        return None
    front = m.group(1)
    info = {'aliases': [], 'params': []}
    mod = re.search(r'^Module Name:\s*(.+)$', front, re.M)
    title = re.search(r'^title:\s*(.+)$', front, re.M)
    url = re.search(r'^online version:\s*(\S+)', front, re.M)
    if not title:
        return None
    info['name'] = title.group(1).strip()
    info['module'] = mod.group(1).strip() if mod else os.path.basename(os.path.dirname(path))
    u = url.group(1).strip() if url else ''
    u = re.sub(r'&WT\.mc_id=[^&]*', '', u)
    info['url'] = u
    am = re.search(r'^aliases:\n((?:\s+-\s*.+\n)+)', front + '\n', re.M)
    if am:
        for line in am.group(1).splitlines():
            a = line.strip()[1:].strip()
            if a:
                info['aliases'].append(a)
    syn = re.search(r'\n## SYNOPSIS\n(.*?)\n## ', text, re.S)
    s = ' '.join(syn.group(1).split()) if syn else ''
    s = s.replace('`', '')
    info['synopsis'] = s
    info['sets'] = syntax_mandatory(text)
    pm = re.search(r'\n## PARAMETERS\n(.*?)(\n## [A-Z]|\Z)', text, re.S)
    if pm:
        for block in re.split(r'\n### ', pm.group(1)):
            hm = re.match(r'-(\w+)', block)
            if not hm:
                continue
            y = re.search(r'```yaml\n(.*?)```', block, re.S)
            if not y:
                continue
            yaml = y.group(1)

            def field(k):
                fm = re.search(r'^' + k + r':[ \t]*(.*)$', yaml, re.M)
                return fm.group(1).strip() if fm else ''
            typ = field('Type')
            pos = field('Position')
            req = field('Required')
            al = [a.strip() for a in field('Aliases').split(',') if a.strip()]
            try:
                position = int(pos.split()[0])
            except (ValueError, IndexError):
                position = -1
            info['params'].append({
                'name': hm.group(1),
                'type': typ,
                'position': position,
                'aliases': al,
                'switch': typ.endswith('SwitchParameter'),
                'mandatory': req.startswith('True'),
            })
    return info


def main():
    docs = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'powershell-docs')
    cmds = {}
    for ver, bit in VERSIONS:
        root = os.path.join(docs, ver)
        for mod in sorted(os.listdir(root)):
            mdir = os.path.join(root, mod)
            if not os.path.isdir(mdir):
                continue
            for fn in sorted(os.listdir(mdir)):
                if not fn.endswith('.md'):
                    continue
                info = parse_page(os.path.join(mdir, fn))
                if info is None:
                    continue
                key = info['name'].lower()
                c = cmds.get(key)
                if c is None:
                    c = {'name': info['name'], 'module': info['module'], 'synopsis': info['synopsis'],
                         'url': info['url'], 'avail': 0, 'aliases': {}, 'params': {}, 'order': [],
                         'sets': info['sets']}
                    cmds[key] = c
                c['avail'] |= bit
                if bit == 2:	# prefer the newer page's text and URL
                    c['synopsis'] = info['synopsis'] or c['synopsis']
                    c['url'] = info['url'] or c['url']
                    c['module'] = info['module']
                    c['sets'] = info['sets']
                for a in info['aliases']:
                    c['aliases'][a] = c['aliases'].get(a, 0) | bit
                for p in info['params']:
                    pk = p['name'].lower()
                    q = c['params'].get(pk)
                    if q is None:
                        q = dict(p)
                        q['avail'] = 0
                        c['params'][pk] = q
                        c['order'].append(pk)
                    q['avail'] |= bit
    for a, (name, bit) in EXTRA_ALIASES.items():
        c = cmds[name.lower()]
        if a not in c['aliases']:
            c['aliases'][a] = bit
    keys = sorted(cmds)
    out = sys.stdout
    out.write('/* catalog_data.c: GENERATED by tools/gen-catalog.py from PowerShell-Docs; do not edit */\n')
    out.write('/* Source: MicrosoftDocs/PowerShell-Docs reference/5.1 and reference/7.6, CC BY 4.0,\n')
    out.write(' * Microsoft Corporation and the PowerShell-Docs contributors. */\n')
    out.write('#include "config.h"\n\n#include "analyzer/catalog.h"\n\n')
    out.write('const struct ps_param_info ps_catalog_params[] = {\n')
    pidx = 0
    starts = {}
    for k in keys:
        c = cmds[k]
        starts[k] = pidx
        for pk in sorted(c['order']):
            p = c['params'][pk]
            flags = []
            if p['switch']:
                flags.append('PS_PARAM_SWITCH')
            if p['mandatory']:
                flags.append('PS_PARAM_MANDATORY')
            out.write('\t{ %s, %s, %s, %d, %d, %s },\n' % (
                c_str(p['name']), c_str(p['type']), c_str(','.join(p['aliases'])),
                p['position'], p['avail'], '|'.join(flags) or '0'))
            pidx += 1
    out.write('};\n\n')
    out.write('const struct ps_cmdlet_info ps_catalog_cmdlets[] = {\n')
    for k in keys:
        c = cmds[k]
        al = ','.join(sorted(c['aliases'], key=str.lower))
        # mandatory parameters per set ("A,B;C"), only when every set has one: such a
        # cmdlet cannot run without naming (or binding) some of them
        sets = c['sets']
        mand = ';'.join(','.join(x) for x in sets) if sets and all(sets) else ''
        out.write('\t{ %s, %s, %s,\n\t    %s,\n\t    %s, %d, %d, %d, %s },\n' % (
            c_str(c['name']), c_str(c['module']), c_str(al), c_str(c['synopsis']),
            c_str(c['url']), c['avail'], starts[k], len(c['params']), c_str(mand)))
    out.write('};\n')
    out.write('const size_t ps_catalog_ncmdlets = sizeof(ps_catalog_cmdlets) / sizeof(ps_catalog_cmdlets[0]);\n\n')
    aliases = []
    for i, k in enumerate(keys):
        for a, bit in cmds[k]['aliases'].items():
            aliases.append((a.lower(), a, i, bit))
    aliases.sort()
    out.write('const struct ps_alias_info ps_catalog_aliases[] = {\n')
    for low, a, i, bit in aliases:
        out.write('\t{ %s, %d, %d },\n' % (c_str(low), i, bit))
    out.write('};\n')
    out.write('const size_t ps_catalog_naliases = sizeof(ps_catalog_aliases) / sizeof(ps_catalog_aliases[0]);\n')


if __name__ == '__main__':
    main()
