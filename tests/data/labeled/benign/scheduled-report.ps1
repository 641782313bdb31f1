<#
.SYNOPSIS
Registers a daily task that runs the disk report and mails it to the operations team.
#>
#Requires -RunAsAdministrator
param(
    [string]$ScriptPath = 'C:\Scripts\disk-space-report.ps1'
)

$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument "-NoProfile -File `"$ScriptPath`""
$trigger = New-ScheduledTaskTrigger -Daily -At '06:00'
Register-ScheduledTask -TaskName 'Daily disk report' -Action $action -Trigger $trigger `
    -Description 'Disk space report for operations'
