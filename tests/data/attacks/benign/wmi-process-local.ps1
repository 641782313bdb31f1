# Start the local indexer through WMI on this machine.
Invoke-CimMethod -ClassName Win32_Process -MethodName Create -Arguments @{ CommandLine = 'C:\Program Files\Acme\Indexer\indexer.exe /rebuild' }
