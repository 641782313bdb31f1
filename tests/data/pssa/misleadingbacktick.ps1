# pssa: PSMisleadingBacktick=1
Get-ChildItem -Path . ` 
    -Recurse
