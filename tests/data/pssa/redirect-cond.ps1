# pssa: PSPossibleIncorrectUsageOfRedirectionOperator=1
if ($a > $b) { }
