# pssa: PSUseDeclaredVarsMoreThanAssignments=0
$count = 0
1..3 | ForEach-Object { $count += 1 }
