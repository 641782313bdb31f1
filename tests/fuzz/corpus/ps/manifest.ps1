# pssa: PSUseToExportFieldsInManifest=2
@{
    ModuleVersion = '1.0'
    FunctionsToExport = '*'
    CmdletsToExport = $null
    AliasesToExport = @()
}
