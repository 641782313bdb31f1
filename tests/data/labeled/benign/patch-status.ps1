<#
.SYNOPSIS
Lists the hot fixes installed in the last 60 days on a set of servers.
.PARAMETER ComputerName
Servers to query.
#>
param(
    [Parameter(Mandatory)]
    [string[]]$ComputerName,
    [pscredential]$Credential
)

$since = (Get-Date).AddDays(-60)
foreach ($computer in $ComputerName) {
    Get-HotFix -ComputerName $computer -Credential $Credential |
        Where-Object { $_.InstalledOn -gt $since } |
        Select-Object -Property PSComputerName, HotFixID, InstalledOn
}
