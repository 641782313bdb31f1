# benign: task-local-exe
$action = New-ScheduledTaskAction -Execute "C:\Program Files\App\sync.exe" -Argument "--quiet"
Register-ScheduledTask -TaskName Sync -Action $action -Trigger (New-ScheduledTaskTrigger -Daily -At 3am)
