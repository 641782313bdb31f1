function Get-TargetResource { param([Parameter(Mandatory)] $Name) Write-Verbose g; return @{} }
function Set-TargetResource { param($Name, $Value) return $true }
[DscResource()]
class R { [R] Get() { return $this } [string] Test() { return "x" } }
$v = 1
1..2 | ForEach-Object -Parallel { $v }
Set-Date
New-PSDrive X FileSystem C:\x
$s.("a" + "b")
function global:break { [CmdletBinding()][OutputType([int])] param() "s" }
