# pssa: PSAvoidNullOrEmptyHelpMessageAttribute=3
function BadFuncEmptyHelpMessageEmpty {
    Param(
        [Parameter(HelpMessage="")]
        [String] $Param1,
        [Parameter(HelpMessage=$null)]
        [String] $Param2,
        [Parameter(HelpMessage)]
        [String] $Param3
    )
    $Param1; $Param2; $Param3
}
