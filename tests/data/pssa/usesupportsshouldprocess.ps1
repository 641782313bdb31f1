# pssa: PSUseSupportsShouldProcess=1
function foo {
    param(
        $param1,
        $Confirm,
        $WhatIf
    )
    $param1; $Confirm; $WhatIf
}
