# Download the vendor installer, check the published hash, then install.
$url = 'https://downloads.example.com/tool/tool-2.1.msi'
$file = Join-Path $env:TEMP 'tool-2.1.msi'
Invoke-WebRequest -Uri $url -OutFile $file
$expected = '9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08'
if ((Get-FileHash -Path $file -Algorithm SHA256).Hash -ne $expected) { throw 'hash mismatch' }
Start-Process msiexec.exe -ArgumentList "/i `"$file`" /qn" -Wait
