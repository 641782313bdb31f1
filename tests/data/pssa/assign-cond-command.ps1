# pssa: PSPossibleIncorrectUsageOfAssignmentOperator=0
if ($a = Get-Something) { }
while ($line = Read-Host) { }
