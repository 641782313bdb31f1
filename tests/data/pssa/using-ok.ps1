# pssa: PSUseUsingScopeModifierInNewRunspaces=0
$var = "foo"
1..2 | ForEach-Object -Parallel { $using:var }
$bar = "bar"
Invoke-Command -ComputerName "foo" -ScriptBlock { $using:bar }
Start-Job -ScriptBlock { $using:bar }
