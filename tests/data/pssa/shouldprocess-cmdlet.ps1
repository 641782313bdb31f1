# pssa: PSShouldProcess=0
function Remove-Cache {
    [CmdletBinding(SupportsShouldProcess)]
    param($Path)
    Remove-Item -Path $Path
}
