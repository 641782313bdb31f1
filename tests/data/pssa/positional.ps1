# pssa: PSAvoidUsingPositionalParameters=1
Copy-Item a b c
