# pssa: PSUseToExportFieldsInManifest=0
@{
    ModuleVersion = '1.0'
    FunctionsToExport = @('Get-Foo', 'Set-Foo')
    CmdletsToExport = @()
}
