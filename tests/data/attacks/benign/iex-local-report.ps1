# benign: a report built with Invoke-Expression
Invoke-Expression 'Get-Process | Sort-Object CPU -Descending | Select-Object -First 5'
