# pssa: PSPossibleIncorrectComparisonWithNull=1
function Test-CompareWithNull {
    if ($DebugPreference -eq $null) { }
}
