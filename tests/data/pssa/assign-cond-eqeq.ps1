# pssa: PSPossibleIncorrectUsageOfAssignmentOperator=1
if ($a == $b) { }
