# pssa: PSUseOutputTypeCorrectly=0
function Get-Foo {
    [CmdletBinding()]
    [OutputType([string])]
    param()
    return "four"
}
