# pssa: PSAvoidUsingCmdletAliases=2
$now = date
$now
childitem
