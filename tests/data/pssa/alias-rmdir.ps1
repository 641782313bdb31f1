# pssa: PSAvoidUsingCmdletAliases=2
rmdir C:\temp\x
icm -ScriptBlock { 1 }
