# pssa: PSAvoidUsingPositionalParameters=0
Copy-Item -Path a -Destination b c
Get-Content a.txt
