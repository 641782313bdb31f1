<#
.SYNOPSIS
Measures the size of each user profile folder on this computer.
#>
$profiles = Get-ChildItem -Path 'C:\Users' -Directory
foreach ($profile in $profiles) {
    $size = (Get-ChildItem -Path $profile.FullName -Recurse -File -ErrorAction SilentlyContinue |
        Measure-Object -Property Length -Sum).Sum
    [pscustomobject]@{ User = $profile.Name; SizeMB = [math]::Round($size / 1MB, 1) }
}
