# pssa: PSAvoidUsingConvertToSecureStringWithPlainText=1
$s = ConvertTo-SecureString -String "p@ss" -AsPlainText -Force
$s
