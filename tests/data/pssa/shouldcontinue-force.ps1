# pssa: PSAvoidShouldContinueWithoutForce=1
function Test-ShouldContinue {
    [CmdletBinding(SupportsShouldProcess)]
    param([string]$Force)
    if ($PSCmdlet.ShouldContinue("q", "c")) { $Force }
}
