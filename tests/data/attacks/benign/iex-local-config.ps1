# benign: iex-local-config
powershell -Command "iex (Get-Content C:\Scripts\config.ps1 -Raw)"
