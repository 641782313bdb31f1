# pssa: PSAvoidUsingUsernameAndPasswordParams=1
function Test-Script {
    param([string]$Username, [securestring]$Password)
    $Username; $Password
}
