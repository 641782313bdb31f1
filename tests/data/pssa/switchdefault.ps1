# pssa: PSAvoidDefaultValueSwitchParameter=1
function Test-Switch { param([switch]$Switch = $true) $Switch }
