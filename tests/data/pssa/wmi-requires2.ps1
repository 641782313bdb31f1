# pssa: PSAvoidUsingWMICmdlet=0
#requires -Version 2.0
Get-WmiObject -Class Win32_OperatingSystem
