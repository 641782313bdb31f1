<#
.SYNOPSIS
Compresses a folder into a dated ZIP archive and keeps the last ten archives.
#>
param(
    [Parameter(Mandatory)]
    [string]$Source,
    [Parameter(Mandatory)]
    [string]$Destination
)

$stamp = Get-Date -Format 'yyyyMMdd-HHmmss'
$archive = Join-Path -Path $Destination -ChildPath "backup-$stamp.zip"
Compress-Archive -Path (Join-Path $Source '*') -DestinationPath $archive -CompressionLevel Optimal
Get-ChildItem -Path $Destination -Filter 'backup-*.zip' |
    Sort-Object -Property LastWriteTime -Descending |
    Select-Object -Skip 10 |
    Remove-Item
Write-Output "Created $archive"
