# pssa: PSUseConsistentIndentation=0
# settings: @{ Rules = @{ PSUseConsistentIndentation = @{ Enable = $true; IndentationSize = 4; PipelineIndentation = 'IncreaseIndentationForFirstPipeline'; Kind = 'space' } } }
function Get-ItemName {
    param(
        [string]$Path
    )

    if ($Path) {
        Get-Item $Path |
            Select-Object -ExpandProperty Name
    }
}
