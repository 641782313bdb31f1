# pssa: PSPlaceCloseBrace=0
# settings: @{ Rules = @{ PSPlaceCloseBrace = @{ Enable = $true } } }
if ($true) {
    'example'
}
Get-Process
