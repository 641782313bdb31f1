# pssa: PSAvoidUsingWMICmdlet=1
Get-WmiObject -Class Win32_OperatingSystem
