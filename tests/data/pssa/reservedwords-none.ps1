# pssa: PSAvoidReservedWordsAsFunctionNames=0
function Get-Function { }
