# expect: T1140
certutil -decode C:\Users\Public\enc.txt C:\Users\Public\payload.dll
