# pssa: PSAvoidUsingDoubleQuotesForConstantString=0
# The rule is off by default in PSScriptAnalyzer (and here): the documented violation gives
# nothing until a settings file enables it.
$constantValue = "I Love PowerShell"
Write-Output $constantValue
