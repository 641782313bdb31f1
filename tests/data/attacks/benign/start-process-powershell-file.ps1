# Run the maintenance script in a fresh session elevated.
Start-Process powershell.exe -ArgumentList '-NoProfile', '-File', 'C:\Scripts\Maintenance.ps1' -Verb RunAs -Wait
Start-Process pwsh -ArgumentList '-NoProfile -Command "Get-Service | Where-Object Status -eq Running | Export-Csv C:\Reports\services.csv"' -Wait
