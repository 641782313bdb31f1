# pssa: PSShouldProcess=0
function Set-File {
    [CmdletBinding(SupportsShouldProcess)]
    param($Path)
    if ($PSCmdlet.ShouldProcess($Path)) { "x" }
}
