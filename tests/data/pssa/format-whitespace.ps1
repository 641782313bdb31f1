# pssa: PSUseConsistentWhitespace=7
# settings: @{ Rules = @{ PSUseConsistentWhitespace = @{ Enable = $true } } }
if($true) {foo| ForEach-Object{ $_ -eq 1}}
@{a = 1;b = 2}
