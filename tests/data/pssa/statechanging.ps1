# pssa: PSUseShouldProcessForStateChangingFunctions=1
function Set-ServiceConfig {
    param ([string]$ServiceName)
    $ServiceName
}
