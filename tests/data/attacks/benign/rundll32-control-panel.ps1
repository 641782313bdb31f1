# benign: rundll32-control-panel
rundll32.exe shell32.dll,Control_RunDLL desk.cpl
regsvr32.exe /s "C:\Program Files\App\x.dll"
