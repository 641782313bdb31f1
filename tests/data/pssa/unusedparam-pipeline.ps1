# pssa: PSReviewUnusedParameter=0
function Get-Len {
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)] $InputObject)
    process { $_.Length }
}
