# pssa: PSUseDeclaredVarsMoreThanAssignments=0
function Test {
    $declaredVar = "Declared just for fun"
    Write-Output $declaredVar
}
