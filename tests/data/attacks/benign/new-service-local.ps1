# Register the vendor's collector service from its install folder.
$params = @{
    Name           = 'AcmeCollector'
    BinaryPathName = '"C:\Program Files\Acme\Collector\collector.exe" --service'
    DisplayName    = 'Acme Metrics Collector'
    StartupType    = 'Automatic'
}
New-Service @params
New-Service -Name 'AcmeUpdater' -BinaryPathName 'C:\Program Files\Acme\Updater\updater.exe' -StartupType Manual
