# pssa: PSShouldProcess=1
function Set-File {
    param($Path)
    if ($PSCmdlet.ShouldProcess($Path)) { "x" }
}
