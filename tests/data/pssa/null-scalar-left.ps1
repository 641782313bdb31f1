# pssa: PSPossibleIncorrectComparisonWithNull=0
if ("text" -eq $null) { }
if (42 -ne $null) { }
if ([string]$x -eq $null) { }
