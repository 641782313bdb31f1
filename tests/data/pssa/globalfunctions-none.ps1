# pssa: PSAvoidGlobalFunctions=0
function functionName {}
