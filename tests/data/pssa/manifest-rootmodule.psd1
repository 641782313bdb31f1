# pssa: PSAvoidUsingDeprecatedManifestFields=0 PSMissingModuleManifestField=0
@{
    RootModule = 'psscriptanalyzer'
    ModuleVersion = '1.0'
}
