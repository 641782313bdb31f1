# pssa: PSAvoidGlobalVars=1
$var1 = "foo"
function Test-NotGlobal ($var) { $Global:var1 = $var }
Test-NotGlobal "bar"
$var1
