# pssa: PSUseSingularNouns=1
function Get-Files { }
