# pssa: PSUseDeclaredVarsMoreThanAssignments=2
function Test {
    $declaredVar = "Declared just for fun"
    $declaredVar2 = "Not used"
}
