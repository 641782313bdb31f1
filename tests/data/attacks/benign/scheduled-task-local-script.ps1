# Nightly cleanup task running a reviewed script from the scripts folder.
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument '-NoProfile -File "C:\Scripts\Cleanup-Logs.ps1"'
$trigger = New-ScheduledTaskTrigger -Daily -At 2am
Register-ScheduledTask -TaskName 'Cleanup-Logs' -Action $action -Trigger $trigger -User 'SYSTEM'
