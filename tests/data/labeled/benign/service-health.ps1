<#
.SYNOPSIS
Checks that the listed services are running and restarts the ones that stopped.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [string[]]$Name
)

foreach ($serviceName in $Name) {
    $service = Get-Service -Name $serviceName -ErrorAction SilentlyContinue
    if ($null -eq $service) {
        Write-Warning "Service $serviceName not found"
        continue
    }
    if ($service.Status -ne 'Running' -and $PSCmdlet.ShouldProcess($serviceName, 'Start')) {
        Start-Service -Name $serviceName
        Write-Output "Started $serviceName"
    }
}
