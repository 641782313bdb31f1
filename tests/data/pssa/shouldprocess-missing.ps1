# pssa: PSShouldProcess=1
function Set-File {
    [CmdletBinding(SupportsShouldProcess)]
    param($Path)
    "x" | Out-String
}
