<#
.SYNOPSIS
Reports free disk space on the local computer and warns about full volumes.
.PARAMETER Threshold
Percentage of used space above which a volume is reported.
.EXAMPLE
./disk-space-report.ps1 -Threshold 85
#>
[CmdletBinding()]
param(
    [ValidateRange(1, 100)]
    [int]$Threshold = 90
)

$volumes = Get-CimInstance -ClassName Win32_LogicalDisk -Filter "DriveType=3"
foreach ($volume in $volumes) {
    $used = [math]::Round(($volume.Size - $volume.FreeSpace) / $volume.Size * 100, 1)
    if ($used -ge $Threshold) {
        Write-Warning "$($volume.DeviceID) is $used% full"
    }
    [pscustomobject]@{
        Drive   = $volume.DeviceID
        SizeGB  = [math]::Round($volume.Size / 1GB, 1)
        UsedPct = $used
    }
}
