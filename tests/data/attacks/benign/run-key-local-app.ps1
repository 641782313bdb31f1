# Start the tray application at logon for all users.
Set-ItemProperty -Path 'HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\Run' -Name 'AcmeTray' -Value '"C:\Program Files\Acme\Tray\acmetray.exe" /minimized'
