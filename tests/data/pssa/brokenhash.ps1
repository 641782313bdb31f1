# pssa: PSAvoidUsingBrokenHashAlgorithms=1
Get-FileHash foo.txt -Algorithm MD5
