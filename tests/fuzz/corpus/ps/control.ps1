#Requires -Version 5.1 -Modules Az, @{ModuleName='Pester';ModuleVersion='5.0'}
:outer foreach ($i in 1..10) {
    switch -regex ($i) { '^1' { continue outer } default { break } }
    for ($j = 0; $j -lt 3; $j++) { while ($true) { break } }
    do { $i-- } until ($i -le 0)
}
try { x } catch [IO.IOException], [Exception] { throw } finally { 'done' }
trap { continue }
$v = $t ? 1 : $null ?? 2
a && b || c
Start-Job { 1 } &
