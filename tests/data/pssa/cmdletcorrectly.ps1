# pssa: PSUseCmdletCorrectly=1
Function Set-TodaysDate ()
{
    Set-Date
}
