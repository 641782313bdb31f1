# pssa: PSAvoidUsingCmdletAliases=0
Get-ChildItem | ForEach-Object { $_.Name }
