# pssa: PSUseUsingScopeModifierInNewRunspaces=1
$var = "foo"
1..2 | ForEach-Object -Parallel { $var }
