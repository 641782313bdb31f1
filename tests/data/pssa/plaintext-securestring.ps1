# pssa: PSAvoidUsingPlainTextForPassword=0
function Test-Script {
    param([securestring]$Password)
    $Password
}
