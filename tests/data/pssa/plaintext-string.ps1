# pssa: PSAvoidUsingPlainTextForPassword=1
function Test-Script {
    param([string]$Password)
    $Password
}
