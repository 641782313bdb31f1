# Point the service at the new version's binary after an upgrade.
sc.exe stop AcmeCollector
sc.exe config AcmeCollector binPath= "C:\Program Files\Acme\Collector\v5\collector.exe"
sc.exe start AcmeCollector
