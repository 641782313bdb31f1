# pssa: PSAvoidUsingComputerNameHardcoded=1
Invoke-Command -ComputerName "srv01" -ScriptBlock { hostname }
