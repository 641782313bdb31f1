<#
.SYNOPSIS
Creates Active Directory accounts for new employees from a CSV file.
.PARAMETER Path
CSV with GivenName, Surname, Department columns.
#>
#Requires -Modules ActiveDirectory
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [string]$Path,
    [Parameter(Mandatory)]
    [securestring]$InitialPassword
)

Import-Module ActiveDirectory
$rows = Import-Csv -Path $Path
foreach ($row in $rows) {
    $sam = ($row.GivenName.Substring(0, 1) + $row.Surname).ToLower()
    if ($PSCmdlet.ShouldProcess($sam, 'New-ADUser')) {
        New-ADUser -Name "$($row.GivenName) $($row.Surname)" -SamAccountName $sam `
            -Department $row.Department -AccountPassword $InitialPassword -Enabled $true
    }
}
