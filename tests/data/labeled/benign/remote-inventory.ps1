<#
.SYNOPSIS
Collects operating system and uptime information from a list of servers over PowerShell remoting.
.PARAMETER ComputerName
The servers to query.
#>
param(
    [Parameter(Mandatory)]
    [string[]]$ComputerName,
    [pscredential]$Credential
)

Invoke-Command -ComputerName $ComputerName -Credential $Credential -ScriptBlock {
    $os = Get-CimInstance -ClassName Win32_OperatingSystem
    [pscustomobject]@{
        Computer = $env:COMPUTERNAME
        Caption  = $os.Caption
        UptimeH  = [math]::Round(((Get-Date) - $os.LastBootUpTime).TotalHours, 1)
    }
} | Select-Object -Property Computer, Caption, UptimeH
