# pssa: PSMissingModuleManifestField=1
@{
    RootModule = 'x.psm1'
    Author = 'me'
}
