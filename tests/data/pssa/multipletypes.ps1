# pssa: PSAvoidMultipleTypeAttributes=1
function Test {
    param([switch][bool]$Switch)
    $Switch
}
