<#
.SYNOPSIS
Deletes files older than a given number of days from the user's temporary folder.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [int]$Days = 14
)

$limit = (Get-Date).AddDays(-$Days)
$files = Get-ChildItem -Path $env:TEMP -File -Recurse -ErrorAction SilentlyContinue |
    Where-Object { $_.LastWriteTime -lt $limit }
foreach ($file in $files) {
    if ($PSCmdlet.ShouldProcess($file.FullName, 'Remove')) {
        Remove-Item -LiteralPath $file.FullName -ErrorAction SilentlyContinue
    }
}
Write-Verbose "Removed $($files.Count) files older than $Days days"
