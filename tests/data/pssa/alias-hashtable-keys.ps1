# pssa: PSAvoidUsingCmdletAliases=0
$h = @{ sort = 1; select = 2; where = 3 }
$h.sort
