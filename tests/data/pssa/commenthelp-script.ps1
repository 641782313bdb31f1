# pssa: PSProvideCommentHelp=2
function Get-A { 1 }
function Get-B { 2 }
