# Administration with native tools, arguments in single quotes (passed as their values).
cmd.exe /c 'dir C:\Logs /s /b > C:\Temp\logs.txt'
schtasks /create /tn 'Cleanup Logs' /sc daily /st 02:00 /tr 'powershell.exe -NoProfile -File C:\Scripts\Cleanup-Logs.ps1'
sc.exe config 'Spooler' start= 'demand'
