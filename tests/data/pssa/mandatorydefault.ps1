# pssa: PSAvoidDefaultValueForMandatoryParameter=1
function Test {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Param1 = "default")
    $Param1
}
