# pssa: PSAvoidUsingEmptyCatchBlock=1
try { 1/0 } catch { }
