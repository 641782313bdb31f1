# pssa: PSPossibleIncorrectComparisonWithNull=0
function Test-CompareWithNull {
    if ($null -eq $DebugPreference) { }
}
