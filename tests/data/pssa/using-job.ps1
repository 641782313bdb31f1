# pssa: PSUseUsingScopeModifierInNewRunspaces=1
$path = "C:\x"
Start-Job -ScriptBlock { Get-ChildItem $path }
