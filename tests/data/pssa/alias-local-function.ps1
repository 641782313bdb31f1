# pssa: PSAvoidUsingCmdletAliases=0
function date { "today" }
date
