# pssa: PSPossibleIncorrectUsageOfAssignmentOperator=0
if (($a = $b)) { }
