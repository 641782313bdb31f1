[Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSAvoidUsingWriteHost', '', Justification = 'menu')]
[Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseDeclaredVarsMoreThanAssignments', 'b', Scope = 'Function', Target = 'Get-*')]
param()
function Get-Items {
    [SuppressMessage('PSUseSingularNouns', '')]
    param([System.Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSReviewUnusedParameter', '')]$Unused)
    $b = 1
    Write-Host 'x'
}
class Menu {
    [Diagnostics.CodeAnalysis.SuppressMessage('PSAvoid*', CheckId = 'Write-Host')]
    [void] Show() { Write-Host 'm' }
}
