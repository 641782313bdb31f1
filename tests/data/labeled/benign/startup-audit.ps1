<#
.SYNOPSIS
Lists the programs that start automatically from the Run keys, for a security audit.
#>
$keys = @(
    'HKLM:\Software\Microsoft\Windows\CurrentVersion\Run',
    'HKCU:\Software\Microsoft\Windows\CurrentVersion\Run'
)
foreach ($key in $keys) {
    if (Test-Path -Path $key) {
        $values = Get-ItemProperty -Path $key
        foreach ($property in $values.PSObject.Properties) {
            if ($property.Name -notlike 'PS*') {
                [pscustomobject]@{ Key = $key; Name = $property.Name; Command = $property.Value }
            }
        }
    }
}
