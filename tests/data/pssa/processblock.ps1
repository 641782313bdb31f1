# pssa: PSUseProcessBlockForPipelineCommand=1
function Get-Number {
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)] [int]$Number)
    $Number
}
