# pssa: PSAvoidUsingWriteHost=2
[Console]::WriteLine("a")
[System.Console]::Write("b")
