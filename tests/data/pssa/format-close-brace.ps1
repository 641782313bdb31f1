# pssa: PSPlaceCloseBrace=1
# settings: @{ Rules = @{ PSPlaceCloseBrace = @{ Enable = $true } } }
if ($true) {
    'example' }
Get-Process
