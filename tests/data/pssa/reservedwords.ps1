# pssa: PSAvoidReservedWordsAsFunctionNames=1
function function { }
