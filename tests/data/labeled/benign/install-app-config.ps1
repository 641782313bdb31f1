<#
.SYNOPSIS
Writes the Contoso application settings to the current user's registry hive.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [string]$ServerUrl,
    [int]$RefreshMinutes = 15
)

$key = 'HKCU:\Software\Contoso\App'
if (-not (Test-Path -Path $key)) {
    New-Item -Path $key -Force | Out-Null
}
if ($PSCmdlet.ShouldProcess($key, 'Set settings')) {
    Set-ItemProperty -Path $key -Name ServerUrl -Value $ServerUrl
    Set-ItemProperty -Path $key -Name RefreshMinutes -Value $RefreshMinutes
}
