# pssa: PSPlaceOpenBrace=0
# PSPlaceOpenBrace is off by default in PSScriptAnalyzer (and here): its documented violation
# (the brace on the line after the keyword) gives nothing until a settings file enables it.
function Get-Foo ($Param1)
{
    $Param1
}
