# benign: cmd-local-tools
cmd /c "mklink /D C:\Link C:\Target"
cmd /c del /q C:\Temp\*.tmp
