# benign: local-installers
Start-Process msiexec.exe -ArgumentList "/i C:\Packages\app.msi /qn" -Wait
Start-Process "C:\Installers\Setup.exe" -ArgumentList "/quiet" -Wait
