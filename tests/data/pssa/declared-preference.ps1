# pssa: PSUseDeclaredVarsMoreThanAssignments=0
$ErrorActionPreference = "Stop"
$OFS = ","
$InformationPreference = "Continue"
$ProgressPreference = "SilentlyContinue"
