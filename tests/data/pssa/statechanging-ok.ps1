# pssa: PSUseShouldProcessForStateChangingFunctions=0
function Set-ServiceConfig {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param ([string]$ServiceName)
    if ($PSCmdlet.ShouldProcess($ServiceName)) { }
}
