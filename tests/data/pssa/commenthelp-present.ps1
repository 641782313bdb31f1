# pssa: PSProvideCommentHelp=0
<#
.SYNOPSIS
    Gets A.
#>
function Get-A { 1 }
