# pssa: PSAvoidShouldContinueWithoutForce=0
function Test-ShouldContinue {
    [CmdletBinding(SupportsShouldProcess)]
    param([switch]$Force)
    if ($Force -or $PSCmdlet.ShouldContinue("q", "c")) { }
}
