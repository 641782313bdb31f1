<#
.SYNOPSIS
Downloads the monitoring agent installer, checks its signature and installs it silently.
#>
#Requires -RunAsAdministrator
param(
    [uri]$InstallerUrl = 'https://downloads.contoso.com/agent/agent-4.2.msi',
    [string]$Publisher = 'CN=Contoso Ltd'
)

$msi = Join-Path -Path $env:TEMP -ChildPath 'agent.msi'
Invoke-WebRequest -Uri $InstallerUrl -OutFile $msi -UseBasicParsing
$signature = Get-AuthenticodeSignature -FilePath $msi
if ($signature.Status -ne 'Valid' -or $signature.SignerCertificate.Subject -notlike "$Publisher*") {
    throw "The installer signature is not valid: $($signature.Status)"
}
$process = Start-Process -FilePath 'msiexec.exe' -ArgumentList "/i `"$msi`" /qn /norestart" -Wait -PassThru
if ($process.ExitCode -ne 0) {
    Write-Error "msiexec failed with exit code $($process.ExitCode)"
}
Remove-Item -LiteralPath $msi
