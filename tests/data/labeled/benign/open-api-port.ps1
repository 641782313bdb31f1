<#
.SYNOPSIS
Opens the inbound port of the Contoso API service in the Windows firewall and sets the
current user's execution policy so that signed scripts can run.
#>
#Requires -RunAsAdministrator
param(
    [ValidateRange(1, 65535)]
    [int]$Port = 8443
)

if (-not (Get-NetFirewallRule -DisplayName 'Contoso API' -ErrorAction SilentlyContinue)) {
    New-NetFirewallRule -DisplayName 'Contoso API' -Direction Inbound -Protocol TCP `
        -LocalPort $Port -Action Allow -Profile Domain
}
Set-ExecutionPolicy -ExecutionPolicy RemoteSigned -Scope CurrentUser -Force
