# pssa: PSAvoidOverwritingBuiltInCmdlets=1
function Get-ChildItem { "x" }
