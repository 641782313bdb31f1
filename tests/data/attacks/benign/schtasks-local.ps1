# Weekly report with schtasks (older servers without the ScheduledTasks module).
schtasks /create /tn "WeeklyReport" /sc weekly /d MON /st 06:00 /tr "powershell.exe -NoProfile -File C:\Scripts\Send-Report.ps1" /ru SYSTEM
