# pssa: PSAvoidUsingInvokeExpression=1
Invoke-Expression "Get-Process"
