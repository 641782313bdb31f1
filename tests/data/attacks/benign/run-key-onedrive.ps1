# benign: run-key-onedrive
New-ItemProperty HKCU:\Software\Microsoft\Windows\CurrentVersion\Run -Name OneDrive -Value '"C:\Program Files\Microsoft OneDrive\OneDrive.exe" /background'
