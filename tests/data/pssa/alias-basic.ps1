# pssa: PSAvoidUsingCmdletAliases=3
gci C:\ | % { $_.Name } | sort
