# pssa: PSAvoidUsingPlainTextForPassword=1
function Test-Script {
    param($Password)
    $Password
}
