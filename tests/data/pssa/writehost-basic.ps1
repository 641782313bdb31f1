# pssa: PSAvoidUsingWriteHost=1
Write-Host "done"
