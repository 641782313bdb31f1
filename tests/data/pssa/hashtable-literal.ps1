# pssa: PSUseLiteralInitializerForHashtable=0
$h = @{}
$h
