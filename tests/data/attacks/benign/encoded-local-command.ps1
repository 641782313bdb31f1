# benign: encoded-local-command
$enc = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes("Get-Service"))
Start-Process powershell -ArgumentList "-EncodedCommand $enc"
