<#
.SYNOPSIS
Rotates application log files: compresses yesterday's logs and deletes archives older than 30 days.
#>
param(
    [string]$LogDirectory = 'D:\Logs\App'
)

$yesterday = (Get-Date).Date.AddDays(-1)
Get-ChildItem -Path $LogDirectory -Filter '*.log' |
    Where-Object { $_.LastWriteTime -lt $yesterday } |
    ForEach-Object {
        Compress-Archive -Path $_.FullName -DestinationPath "$($_.FullName).zip" -Force
        Remove-Item -LiteralPath $_.FullName
    }
Get-ChildItem -Path $LogDirectory -Filter '*.zip' |
    Where-Object { $_.LastWriteTime -lt (Get-Date).AddDays(-30) } |
    Remove-Item
