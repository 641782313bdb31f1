$p = @{ Path = 'C:\x'; 'Key 2' = @(1, 2); Nested = @{ a = $(Get-Date) } }
Copy-Item @p -WhatIf
$x[0].y?.z = $a[1..2] + -5 * 3 -band 0x1F -shl 2
[int[]]$n = 1kb, 2.5e3d, .5, 0b101, 7L
