<#
.SYNOPSIS
  Removes old logs.
.PARAMETER Days
  Age in days.
#>
function Remove-OldLog {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory, Position = 0)][ValidateRange(1, 365)][int]$Days = 30,
        [switch]$Force
    )
    begin { $cut = (Get-Date).AddDays(-$Days) }
    process {
        Get-ChildItem -Path "$env:TEMP\logs" -Filter *.log -Recurse |
            Where-Object { $_.LastWriteTime -lt $cut -and -not $_.PSIsContainer } |
            ForEach-Object { if ($PSCmdlet.ShouldProcess($_.FullName)) { Remove-Item $_ -Force:$Force } }
    }
}
