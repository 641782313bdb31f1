# Deploy the line-of-business MSI from the local package cache.
$msi = 'C:\PackageCache\LobApp-4.2.msi'
$log = Join-Path $env:TEMP 'LobApp-install.log'
Start-Process msiexec.exe -ArgumentList "/i `"$msi`" /qn /l*v `"$log`"" -Wait
msiexec /x '{6F1D2A4B-0000-4C1E-9F00-1234567890AB}' /qn
