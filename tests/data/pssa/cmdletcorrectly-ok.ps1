# pssa: PSUseCmdletCorrectly=0
Function Set-TodaysDate ()
{
    $date = Get-Date
    Set-Date -Date $date
}
