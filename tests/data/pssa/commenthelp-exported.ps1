# pssa: PSProvideCommentHelp=1
function Get-A { 1 }
function Get-B { 2 }
Export-ModuleMember -Function Get-A
