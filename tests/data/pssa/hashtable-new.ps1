# pssa: PSUseLiteralInitializerForHashtable=2
$h1 = New-Object -TypeName Hashtable
$h2 = [hashtable]::new()
$h1; $h2
