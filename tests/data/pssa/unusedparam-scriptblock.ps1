# pssa: PSReviewUnusedParameter=1
$sb = { param($Used, $Unused) $Used }
& $sb 1 2
