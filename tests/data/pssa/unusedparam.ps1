# pssa: PSReviewUnusedParameter=1
function Test-Parameter {
    Param (
        $Parameter1,
        $ParameterThatIsNotUsed
    )
    $Parameter1
}
