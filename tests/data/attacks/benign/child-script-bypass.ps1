# benign: child-script-bypass
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "$PSScriptRoot\child.ps1"
