<#
.SYNOPSIS
Summarises errors from the System event log of the last day by source.
#>
param(
    [int]$Hours = 24
)

$since = (Get-Date).AddHours(-$Hours)
$events = Get-WinEvent -FilterHashtable @{ LogName = 'System'; Level = 2; StartTime = $since } `
    -ErrorAction SilentlyContinue
$events | Group-Object -Property ProviderName | Sort-Object -Property Count -Descending |
    Select-Object -First 10 -Property Count, Name
