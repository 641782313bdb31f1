@{
    IncludeRules = @('PSAvoid*', 'PSUseSingularNouns', 'PSPlaceOpenBrace')
    ExcludeRules = 'PSAvoidUsingWriteHost', 'PSUseDeclared*'
    Severity     = @('Error', 'Warning', 'ParseError')
    Rules        = @{
        PSAvoidUsingCmdletAliases = @{ allowlist = @('cd', 'gci') }
        PSAvoidLongLines          = @{ Enable = $true; MaximumLineLength = 40 }
        PSUseSingularNouns        = @{ NounAllowList = 'Items' }
        'PSAvoidExclaimOperator'  = @{ Enable = $true }
        PSProvideCommentHelp      = @{ Enable = $false; Placement = 'begin'; Other = @{ x = -1 } }
        PSNoSuchRule              = @{ Enable = $null }
    }
}
