# Legacy batch steps kept as they were.
cmd /c "ipconfig /flushdns"
cmd.exe /c "C:\Tools\backup.cmd" && echo done
cmd /c powershell -NoProfile -Command "Get-ChildItem C:\Logs -Filter *.log | Measure-Object -Property Length -Sum"
