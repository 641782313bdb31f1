# pssa: PSAvoidUsingDeprecatedManifestFields=1 PSMissingModuleManifestField=0
@{
    ModuleToProcess = 'psscriptanalyzer'
    ModuleVersion = '1.0'
}
