if ($x { Get-A }
function { }
) ] }
"unterminated
<# open
