# pssa: PSAvoidGlobalAliases=0
New-Alias -Name Name1 -Value Value
