# pssa: PSReservedParams=1
function Test { [CmdletBinding()] param($ErrorVariable) $ErrorVariable }
