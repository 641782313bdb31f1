# Open the printer queue and reset the proxy settings UI.
rundll32.exe printui.dll,PrintUIEntry /o /n "\\printsrv\Floor2"
rundll32 user32.dll,LockWorkStation
regsvr32 /s C:\Program Files\Acme\Addin\acmeaddin.dll
