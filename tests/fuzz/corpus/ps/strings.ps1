$a = 'it''s'; $b = "tab`t $a $($a.Length) ${env:ProgramFiles(x86)} `u{263A}"
$h = @"
Hello $name
  $(Get-Date -Format o)
"@
$r = @'
raw $x
'@
Write-Host “smart” ‘quotes’ –Name x
