# pssa: PSAvoidGlobalVars=0
$global:ErrorActionPreference = "Stop"
$global:VerbosePreference = "Continue"
