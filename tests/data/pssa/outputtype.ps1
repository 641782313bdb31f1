# pssa: PSUseOutputTypeCorrectly=1
function Get-Foo {
    [CmdletBinding()]
    [OutputType([int])]
    param()
    return "four"
}
