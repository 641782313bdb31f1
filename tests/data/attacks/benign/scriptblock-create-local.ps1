# benign: a script block made from a string and run locally
$sb = [ScriptBlock]::Create('Get-Service | Where-Object Status -eq Running')
Invoke-Command -ScriptBlock $sb
