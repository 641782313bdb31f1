# pssa: PSUseSingularNouns=1
function Get-Criteria { }
