# pssa: PSUseDeclaredVarsMoreThanAssignments=0
$a = 1
$b = 2
Get-Variable -Name a, b
