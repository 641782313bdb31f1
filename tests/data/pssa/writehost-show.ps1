# pssa: PSAvoidUsingWriteHost=0
function Show-Menu { Write-Host "1. Start" }
