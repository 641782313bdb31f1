<#
.SYNOPSIS
Exports a hardware and operating system inventory of the local computer to CSV.
#>
param(
    [string]$OutFile = (Join-Path $PSScriptRoot 'inventory.csv')
)

$os = Get-CimInstance -ClassName Win32_OperatingSystem
$cs = Get-CimInstance -ClassName Win32_ComputerSystem
$bios = Get-CimInstance -ClassName Win32_BIOS
[pscustomobject]@{
    ComputerName = $env:COMPUTERNAME
    OS           = $os.Caption
    Version      = $os.Version
    Manufacturer = $cs.Manufacturer
    Model        = $cs.Model
    MemoryGB     = [math]::Round($cs.TotalPhysicalMemory / 1GB, 1)
    Serial       = $bios.SerialNumber
} | Export-Csv -Path $OutFile -NoTypeInformation
