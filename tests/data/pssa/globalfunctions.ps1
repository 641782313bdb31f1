# pssa: PSAvoidGlobalFunctions=1
function global:functionName {}
