# pssa: PSReviewUnusedParameter=0
function Test-Bound {
    [CmdletBinding()]
    param($Name, $Path)
    Invoke-Other @PSBoundParameters
}
