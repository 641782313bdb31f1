# pssa: PSAvoidGlobalAliases=1
New-Alias -Name Name -Value Value -Scope "Global"
