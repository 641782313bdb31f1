# pssa: PSUseSingularNouns=0
function Get-Data { }
function Get-Status { }
